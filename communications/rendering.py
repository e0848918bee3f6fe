"""Turning a communication into a recipient's e-mail.

The body is Markdown with merge fields (`{{ first_name }}`). It is rendered once per
occurrence: merge fields become opaque tokens, the Markdown becomes sanitized HTML (nh3) and
both parts are wrapped in templates/emails/communication.{txt,html}. Per recipient only the
tokens are replaced (HTML-escaped in the HTML part), which keeps large sends fast and makes
sure a merge value can never inject markup.
"""

import datetime
import functools
import re
from dataclasses import dataclass, field
from email.utils import formataddr
from html.parser import HTMLParser

import markdown
import nh3
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .attachments import attachments_add
from .providers import Attachment, get_context_provider

MERGE_FIELD = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")
STANDARD_FIELDS = {
    "first_name": "The recipient's first name",
    "last_name": "The recipient's last name",
    "full_name": "The recipient's full name",
    "email": "The recipient's e-mail address",
    "title": "The recipient's job title",
    "organization": "Where the recipient works",
    "state": "The recipient's state agency",
    "project": "The related project",
    "advisory_body": "The related advisory body",
}
LINK_FIELDS = ("unsubscribe_url", "preferences_url")
MERGE_TOKEN = "R2CCMERGE{}X"  # noqa: S105 - a placeholder, not a secret
UNSUBSCRIBE_SALT = "communications.unsubscribe"
PREFERENCES_SALT = "communications.preferences"


def merge_fields(text: str) -> list[str]:
    return list(dict.fromkeys(MERGE_FIELD.findall(text)))


def check_merge_fields(*, subject: str, body: str, context_provider: str = "") -> None:
    """Unknown merge fields are a mistake unless a context provider supplies extra ones."""
    if context_provider:
        return
    known = set(STANDARD_FIELDS) | set(LINK_FIELDS)
    for name, text in (("subject", subject), ("body", body)):
        unknown = [f for f in merge_fields(text) if f not in known]
        if unknown:
            raise ValidationError({name: f"Unknown merge field: {', '.join(unknown)}."})


def unsubscribe_token(stakeholder_id: int, category: str) -> str:
    """`<stakeholder id>.<category>:<signature>`: cheap to make for every message of a big send."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{stakeholder_id}.{category}")


def preferences_token(stakeholder_id: int) -> str:
    return signing.Signer(salt=PREFERENCES_SALT).sign(str(stakeholder_id))


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(stakeholder id, category); raises signing.BadSignature when forged."""
    stakeholder_id, _, category = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token).partition(".")
    if not stakeholder_id.isdigit():
        raise signing.BadSignature("Malformed token")
    return int(stakeholder_id), category


def read_preferences_token(token: str) -> int:
    value = signing.Signer(salt=PREFERENCES_SALT).unsign(token)
    if not value.isdigit():
        raise signing.BadSignature("Malformed token")
    return int(value)


def absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@functools.cache
def _link_prefix(name: str) -> str:
    placeholder = "TOKENPLACEHOLDER"
    return absolute(reverse(name, args=[placeholder])).replace(placeholder, "{}")


def unsubscribe_url(stakeholder_id: int, category: str) -> str:
    return _link_prefix("communications:unsubscribe").format(unsubscribe_token(stakeholder_id, category))


def preferences_url(stakeholder_id: int) -> str:
    return _link_prefix("communications:preferences").format(preferences_token(stakeholder_id))


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def _lookup(context: dict, dotted: str):
    value = context
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        if value is None:
            return None
    return value


def merge_value(values: dict, name: str) -> str:
    """The text that merge field `name` (dotted: `meeting.title`) stands for in `values`."""
    return _display(_lookup(values, name))


def recipient_context(*, communication, stakeholder) -> dict:
    """The standard merge fields of one recipient."""
    affiliation = stakeholder.affiliation
    return {
        "first_name": stakeholder.first_name,
        "last_name": stakeholder.last_name,
        "full_name": stakeholder.full_name,
        "email": stakeholder.email,
        "title": stakeholder.title,
        "organization": str(affiliation) if affiliation else "",
        "state": stakeholder.sea.short_name if stakeholder.sea_id else "",
        "project": communication.project.title if communication.project_id else "",
        "advisory_body": communication.advisory_body.name if communication.advisory_body_id else "",
    }


@dataclass
class PreparedMessage:
    """A message rendered once, with tokens where each recipient's values go."""

    subject: str
    text: str
    html: str
    fields: list[str] = field(default_factory=list)

    def for_recipient(self, values: dict) -> tuple[str, str, str]:
        subject, text, html = self.subject, self.text, self.html
        for index, name in enumerate(self.fields):
            token = MERGE_TOKEN.format(index)
            if token not in text and token not in html and token not in subject:
                continue
            raw = merge_value(values, name)
            subject = subject.replace(token, " ".join(raw.split()))
            text = text.replace(token, raw)
            html = html.replace(token, escape(raw))
        return subject, text, html


def markdown_to_html(text: str) -> str:
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(html)


class _TextWriter(HTMLParser):
    """Sanitized message HTML as plain text: paragraphs and list items on their own lines,
    links as "text (url)", emphasis and tags dropped."""

    BLOCKS = {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tr",
        "ul",
        "ol",
        "hr",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[tuple[str, int]] = []
        self.lists: list[list] = []  # [tag, counter]
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.out.append("\n\n")
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li":
            depth = max(len(self.lists) - 1, 0)
            bullet = "-"
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                bullet = f"{self.lists[-1][1]}."
            self.out.append("\n" + "  " * depth + bullet + " ")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.out)))
        elif tag in ("td", "th"):
            self.out.append("  ")
        elif tag == "pre":
            self.pre += 1
        if tag == "hr":
            self.out.append("----")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag == "pre":
            self.pre = max(self.pre - 1, 0)
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.out[start:]).strip()
            if href and href not in (label, f"mailto:{label}"):
                self.out.append(f" ({href})" if label else href)
        if tag in self.BLOCKS:
            self.out.append("\n\n")

    def handle_data(self, data):
        self.out.append(data if self.pre else re.sub(r"\s+", " ", data))

    def text(self) -> str:
        text = "".join(self.out)
        text = re.sub(r"[ \t]+\n", "\n", text)
        text = re.sub(r"\n[ \t]+(?=[^-\d ])", "\n", text)
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def markdown_to_text(text: str) -> str:
    """Markdown as the plain-text part of a mail: rendered, then written out as text (no raw
    `**bold**` or `[Yes](url)`; a link reads "Yes (url)")."""
    writer = _TextWriter()
    writer.feed(markdown_to_html(text))
    writer.close()
    return writer.text()


def prepare_message(
    *, subject: str, body: str, category_label: str, to_staff: bool = False
) -> PreparedMessage:
    """Render `subject` and Markdown `body` into text and HTML parts with merge tokens.

    `to_staff`: the message goes to a portal user, not a stakeholder: no unsubscribe links.
    """
    fields: list[str] = list(LINK_FIELDS)

    def tokenize(match):
        name = match.group(1)
        if name not in fields:
            fields.append(name)
        return MERGE_TOKEN.format(fields.index(name))

    subject_t = MERGE_FIELD.sub(tokenize, subject)
    body_t = MERGE_FIELD.sub(tokenize, body)
    context = {
        "subject": subject_t,
        "body_text": markdown_to_text(body_t),
        "body_html": mark_safe(markdown_to_html(body_t)),  # noqa: S308 - sanitized by nh3
        "category": category_label,
        "unsubscribe_url": MERGE_TOKEN.format(fields.index("unsubscribe_url")),
        "preferences_url": MERGE_TOKEN.format(fields.index("preferences_url")),
        "portal_url": settings.PORTAL_BASE_URL,
        "to_staff": to_staff,
    }
    text = render_to_string("emails/communication.txt", context)
    html = render_to_string("emails/communication.html", context)
    return PreparedMessage(subject=subject_t, text=text, html=html, fields=fields)


def recipient_values(*, communication, stakeholder, extra: dict | None = None) -> dict:
    values = recipient_context(communication=communication, stakeholder=stakeholder)
    values["unsubscribe_url"] = unsubscribe_url(stakeholder.pk, communication.category)
    values["preferences_url"] = preferences_url(stakeholder.pk)
    if extra:
        values.update(extra)
    return values


def user_recipient_values(*, communication, user, extra: dict | None = None) -> dict:
    """The merge fields of a portal user who receives a message (center staff without a
    directory entry): no unsubscribe link, since such mail is part of their work."""
    values = {
        "first_name": user.first_name or user.get_username(),
        "last_name": user.last_name,
        "full_name": user.get_full_name() or user.get_username(),
        "email": user.email,
        "title": "",
        "organization": str(user.sea) if user.sea_id else "Region 2 Comprehensive Center",
        "state": user.sea.short_name if user.sea_id else "",
        "project": communication.project.title if communication.project_id else "",
        "advisory_body": communication.advisory_body.name if communication.advisory_body_id else "",
        "unsubscribe_url": "",
        "preferences_url": "",
    }
    if extra:
        values.update(extra)
    return values


def message_prepare(*, communication, occurrence=None, to_staff: bool = False) -> PreparedMessage:
    """`communication` (with the subject and body its `occurrence` overrides) rendered once for
    all its recipients; see `recipient_message` for each one's part."""
    return prepare_message(
        subject=(occurrence.subject if occurrence is not None else "") or communication.subject,
        body=(occurrence.body if occurrence is not None else "") or communication.body,
        category_label=communication.get_category_display(),
        to_staff=to_staff,
    )


@dataclass
class RecipientMessage:
    """One recipient's message as it goes out now, or (`skipped`) the provider's verdict not to."""

    prepared: PreparedMessage | None
    values: dict = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    provided: dict = field(default_factory=dict)  # the context provider's fields
    skipped: bool = False
    skip_reason: str = ""  # the provider's reason, if it gave one

    def parts(self) -> tuple[str, str, str]:
        """Subject, text and HTML with this recipient's values."""
        if self.prepared is None:
            raise ValueError("No prepared message to render.")
        return self.prepared.for_recipient(self.values)

    def email(self, *, to: str, name: str, message_id: str, category: str) -> EmailMultiAlternatives:
        """The whole e-mail: parts, headers and the provider's attachments."""
        subject, text, html = self.parts()
        message = build_email(
            subject=subject,
            text=text,
            html=html,
            to=to,
            name=name,
            message_id=message_id,
            unsubscribe=self.values.get("unsubscribe_url", ""),
            category=category,
        )
        attachments_add(message, self.attachments)
        return message


def recipient_message(
    *,
    communication,
    prepared: PreparedMessage | None = None,
    stakeholder=None,
    user=None,
    strict: bool = True,
) -> RecipientMessage:
    """A recipient's message: what the sending loop sends, the composer previews and a test send
    checks. The context provider's fields and attachments (or its verdict to skip), then the
    merge fields of `stakeholder`, or of the portal user `user` when there is no stakeholder.

    `strict`: a provider missing from this process is an error (sending) rather than left out
    (a preview of a communication whose provider is gone).
    """
    extra: dict = {}
    attachments: list[Attachment] = []
    if communication.context_provider:
        provider = get_context_provider(communication.context_provider)
        if provider is None and strict:
            raise LookupError(f"No context provider {communication.context_provider!r} in this process")
        if provider is not None:
            if stakeholder is not None:
                result = provider(communication=communication, stakeholder=stakeholder)
            else:
                result = provider(communication=communication, stakeholder=None, user=user)
            if result.skip:
                return RecipientMessage(prepared=prepared, skipped=True, skip_reason=result.reason)
            extra, attachments = result.context, result.attachments
    if stakeholder is not None:
        values = recipient_values(communication=communication, stakeholder=stakeholder, extra=extra)
    else:
        values = user_recipient_values(communication=communication, user=user, extra=extra)
    return RecipientMessage(prepared=prepared, values=values, attachments=attachments, provided=extra)


def build_email(
    *,
    subject: str,
    text: str,
    html: str,
    to: str,
    name: str,
    message_id: str,
    unsubscribe: str,
    category: str,
) -> EmailMultiAlternatives:
    """The e-mail of one recipient (or, with tokens for values, the template of fastmail)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((name, to))],
        headers={
            "Message-ID": message_id,
            # RFC 8058 one-click unsubscribe (RFC 2369 List-Unsubscribe); none for staff mail.
            **(
                {
                    "List-Unsubscribe": f"<{unsubscribe}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                }
                if unsubscribe
                else {}
            ),
            "X-R2CC-Category": category,
        },
    )
    message.attach_alternative(html, "text/html")
    return message
