"""Signed links that need no sign-in: answering an attestation, a statement or a survey.

Nothing is stored to check a link: the signature covers the record, the version and the person,
so an altered link is refused; each link expires; and it works once because the record it
answers is no longer pending afterwards.
"""

from dataclasses import dataclass

from django.core import signing

ATTESTATION_SALT = "accountability.attestation"
STATEMENT_SALT = "accountability.statement"
SURVEY_SALT = "accountability.survey"
LINK_MAX_AGE = 60 * 60 * 24 * 30


class BadLink(Exception):
    """The link was altered or has expired; `message` says which, for the person holding it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Claim:
    object_id: int
    person_id: int
    version: int = 0


def _dumps(salt: str, object_id: int, person_id: int, version: int = 0) -> str:
    return signing.dumps([object_id, person_id, version], salt=salt, compress=True)


def _loads(token: str, salt: str) -> Claim:
    try:
        data = signing.loads(token, salt=salt, max_age=LINK_MAX_AGE)
        return Claim(object_id=int(data[0]), person_id=int(data[1]), version=int(data[2]))
    except signing.SignatureExpired as exc:
        raise BadLink("This link has expired. Sign in to the portal to answer instead.") from exc
    except (signing.BadSignature, TypeError, ValueError, IndexError, KeyError) as exc:
        raise BadLink("This link is not valid: it may have been changed or cut short.") from exc


def attestation_token(*, attestation_id: int, user_id: int, version: int) -> str:
    return _dumps(ATTESTATION_SALT, attestation_id, user_id, version)


def attestation_claim(token: str) -> Claim:
    return _loads(token, ATTESTATION_SALT)


def statement_token(*, statement_id: int, user_id: int) -> str:
    return _dumps(STATEMENT_SALT, statement_id, user_id)


def statement_claim(token: str) -> Claim:
    return _loads(token, STATEMENT_SALT)


def survey_token(*, invitation_id: int, stakeholder_id: int) -> str:
    return _dumps(SURVEY_SALT, invitation_id, stakeholder_id)


def survey_claim(token: str) -> Claim:
    return _loads(token, SURVEY_SALT)
