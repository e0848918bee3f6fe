"""A provider's attachments in the MIME message: files in multipart/mixed, alternatives (an iMIP
calendar) beside the text and HTML, with the parameters of their type."""

import email
import email.policy

from communications.attachments import attachments_add
from communications.providers import Attachment
from communications.rendering import build_email

CALENDAR = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nSUMMARY:Réunion\r\nEND:VCALENDAR\r\n"


def _message(attachments):
    message = build_email(
        subject="Cancelled",
        text="The meeting is cancelled.",
        html="<p>The meeting is cancelled.</p>",
        to="dana.todd@example.org",
        name="Dana Todd",
        message_id="<r2cc.test@r2cc.example.org>",
        unsubscribe="https://portal.example.org/u/1/",
        category="meeting",
    )
    attachments_add(message, attachments)
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def test_an_alternative_joins_the_text_and_html_with_its_parameters_and_a_file_is_attached():
    parsed = _message(
        [
            Attachment(
                filename="",
                content=CALENDAR.encode(),
                mimetype="text/calendar; method=CANCEL",
                alternative=True,
            ),
            Attachment(filename="cancel.ics", content=CALENDAR.encode(), mimetype="application/ics"),
        ]
    )
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.get_payload()
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    calendar = alternative.get_payload()[2]
    assert (calendar.get_param("method"), calendar.get_content_charset()) == ("CANCEL", "utf-8")
    assert calendar.get_content().splitlines() == CALENDAR.splitlines()  # UTF-8 intact
    assert (attachment.get_content_type(), attachment.get_filename()) == ("application/ics", "cancel.ics")
    assert attachment.get_content() == CALENDAR.encode()


def test_without_alternatives_the_message_keeps_its_text_and_html_only():
    parsed = _message([Attachment(filename="notes.txt", content="Notes", mimetype="text/plain")])
    alternative, attachment = parsed.get_payload()
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_filename() == "notes.txt"
