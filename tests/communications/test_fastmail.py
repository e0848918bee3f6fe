from email import message_from_bytes

import pytest

from communications.fastmail import FastTemplate
from communications.rendering import build_email, prepare_message, recipient_values
from tests.communications.factories import compose
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def parts(raw: bytes) -> dict:
    message = message_from_bytes(raw)
    # Header folding may differ; the values may not.
    result = {
        key: "".join(str(message[key]).split())
        for key in ("Subject", "To", "From", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post")
    }
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True).decode(part.get_content_charset())
            result[part.get_content_type()] = payload.replace("\r\n", "\n")
    return result


def test_template_bytes_match_the_regular_message(facilitator, ct):
    person = StakeholderFactory(sea=ct, first_name="Ann & <Bo>", last_name="O'Neil, Jr.")
    communication = compose(facilitator, body="Dear {{ first_name }},\n\n**Bold** news from {{ state }}.")
    prepared = prepare_message(
        subject=communication.subject, body=communication.body, category_label="Newsletter"
    )
    values = recipient_values(communication=communication, stakeholder=person)
    from email.utils import formataddr

    fast = FastTemplate(prepared=prepared, category="newsletter").render(
        values=values, to=formataddr((person.full_name, person.email)), message_id="<r2cc.1.2.3@example.org>"
    )
    subject, text, html = prepared.for_recipient(values)
    slow = build_email(
        subject=subject,
        text=text,
        html=html,
        to=person.email,
        name=person.full_name,
        message_id="<r2cc.1.2.3@example.org>",
        unsubscribe=values["unsubscribe_url"],
        category="newsletter",
    )
    fast_parts = parts(fast.message().as_bytes())
    assert fast_parts == parts(slow.message().as_bytes())
    assert "Ann &amp; &lt;Bo&gt;" in fast_parts["text/html"]
    assert "Dear Ann & <Bo>," in fast_parts["text/plain"]


def test_non_ascii_values_take_the_regular_path(facilitator, ct):
    person = StakeholderFactory(sea=ct, first_name="José")
    communication = compose(facilitator)
    prepared = prepare_message(
        subject=communication.subject, body=communication.body, category_label="Newsletter"
    )
    values = recipient_values(communication=communication, stakeholder=person)
    template = FastTemplate(prepared=prepared, category="newsletter")
    assert template.render(values=values, to=person.email, message_id="<x@example.org>") is None
