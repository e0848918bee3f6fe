"""Signed links that need no login: RSVP and feedback. Nothing is stored to check them."""

from dataclasses import dataclass

from django.core import signing

RSVP_SALT = "meetings.rsvp"
FEEDBACK_SALT = "meetings.feedback"
RSVP_MAX_AGE = 60 * 60 * 24 * 90
FEEDBACK_MAX_AGE = 60 * 60 * 24 * 90


class BadLink(Exception):
    """The link was altered or has expired; `message` says which, for the person holding it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RsvpClaim:
    meeting_id: int
    stakeholder_id: int


@dataclass(frozen=True)
class FeedbackClaim:
    body_id: int
    stakeholder_id: int
    meeting_id: int | None


def _load(token: str, salt: str, max_age: int) -> dict:
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise BadLink("This link has expired. Ask the center for a new one.") from exc
    except signing.BadSignature as exc:
        raise BadLink("This link is not valid: it may have been changed or cut short.") from exc


def rsvp_token(*, meeting_id: int, stakeholder_id: int) -> str:
    return signing.dumps({"m": meeting_id, "s": stakeholder_id}, salt=RSVP_SALT, compress=True)


def rsvp_claim(token: str) -> RsvpClaim:
    data = _load(token, RSVP_SALT, RSVP_MAX_AGE)
    return RsvpClaim(meeting_id=int(data["m"]), stakeholder_id=int(data["s"]))


def feedback_token(*, body_id: int, stakeholder_id: int, meeting_id: int | None = None) -> str:
    return signing.dumps(
        {"b": body_id, "s": stakeholder_id, "m": meeting_id}, salt=FEEDBACK_SALT, compress=True
    )


def feedback_claim(token: str) -> FeedbackClaim:
    data = _load(token, FEEDBACK_SALT, FEEDBACK_MAX_AGE)
    return FeedbackClaim(body_id=int(data["b"]), stakeholder_id=int(data["s"]), meeting_id=data.get("m"))
