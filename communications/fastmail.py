"""Building each recipient's MIME message by substitution, for large sends over SMTP.

Python's email package costs about a millisecond per message to build and fold headers. For
the common case, the message of an occurrence is built once by Django with ASCII tokens where
the recipient's values go, and each recipient's bytes are that template with the tokens
replaced. It is used only when every value substituted is plain ASCII without line breaks in
headers, and the template's parts are 7bit/8bit (never quoted-printable or base64, where a
substitution would corrupt the encoding); anything else goes through Django's normal path.
The result is handed to Django's SMTP backend like any EmailMessage.
"""

from django.core.mail import EmailMessage
from django.utils.html import escape

from .rendering import MERGE_TOKEN, PreparedMessage, build_email, merge_value

TO_TOKEN = "r2cctorecipientx@r2cc.invalid"  # noqa: S105 - placeholders, not secrets
MESSAGE_ID_TOKEN = "<r2ccmessageidx@r2cc.invalid>"  # noqa: S105


class _Raw:
    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, linesep="\r\n"):  # noqa: ARG002 - Django passes it; the bytes are made
        return self.data


class PreparedEmail(EmailMessage):
    """An EmailMessage whose MIME bytes are already made (sent by Django's SMTP backend)."""

    def __init__(self, *, raw: bytes, to: str, from_email: str, envelope_to: str):
        super().__init__(from_email=from_email, to=[to])
        self.raw = raw
        self.envelope_to = envelope_to

    def message(self):
        return _Raw(self.raw)


class FastTemplate:
    """One occurrence's MIME bytes with tokens; None-safe `render` returns None to fall back."""

    def __init__(self, *, prepared: PreparedMessage, category: str):
        template = build_email(
            subject=prepared.subject,
            text=prepared.text,
            html=prepared.html,
            to=TO_TOKEN,
            name="",
            message_id=MESSAGE_ID_TOKEN,
            unsubscribe=MERGE_TOKEN.format(prepared.fields.index("unsubscribe_url")),
            category=category,
        )
        raw = template.message().as_bytes(linesep="\r\n")
        lowered = raw.lower()
        self.usable = b"quoted-printable" not in lowered and b"base64" not in lowered
        self.fields = prepared.fields
        self.from_email = template.from_email
        text_at = raw.find(b"Content-Type: text/plain")
        html_at = raw.find(b"Content-Type: text/html")
        self.usable = self.usable and 0 < text_at < html_at
        self.header = raw[:text_at].decode("utf-8")
        self.text = raw[text_at:html_at].decode("utf-8")
        self.html = raw[html_at:].decode("utf-8")
        # Which merge fields each part holds, found once for every recipient.
        self.merges: list[tuple[str, str, tuple[bool, bool, bool]]] = []
        for index, name in enumerate(self.fields):
            token = MERGE_TOKEN.format(index)
            where = tuple(token in part for part in (self.header, self.text, self.html))
            if any(where):
                self.merges.append((token, name, where))
        self.longest_line = max(len(line) for line in (self.text + self.html).split("\r\n"))

    def render(
        self, *, values: dict, to: str, message_id: str, envelope_to: str = ""
    ) -> PreparedEmail | None:
        if not self.usable or not to.isascii() or not envelope_to.isascii():
            return None
        header, text, html = self.header, self.text, self.html
        for token, name, (in_header, in_text, in_html) in self.merges:
            value = merge_value(values, name)
            if not value.isascii():
                return None
            if in_header:
                if "\r" in value or "\n" in value:
                    return None
                header = header.replace(token, value)
            value = value.replace("\r\n", "\n").replace("\n", "\r\n")
            if in_text:
                text = text.replace(token, value)
            if in_html:
                html = html.replace(token, escape(value))
        header = header.replace(TO_TOKEN, to).replace(MESSAGE_ID_TOKEN, message_id)
        body = text + html
        # A line grows by at most what the whole body grew: only then can it pass SMTP's limit.
        grown = len(body) - len(self.text) - len(self.html)
        if self.longest_line + grown > 998 and any(len(line) > 998 for line in body.split("\r\n")):
            return None  # SMTP's line limit: Django's path re-encodes such a body
        raw = (header + body).encode("utf-8")
        return PreparedEmail(raw=raw, to=to, from_email=self.from_email, envelope_to=envelope_to)
