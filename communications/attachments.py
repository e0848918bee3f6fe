"""How a provider's attachments join a message: files in multipart/mixed, alternatives beside
the text and HTML in multipart/alternative (an iMIP calendar, RFC 6047).

    multipart/mixed
        multipart/alternative
            text/plain
            text/html
            text/calendar; method=REQUEST; charset="utf-8"    <- Attachment(alternative=True)
        application/ics; invite.ics                           <- Attachment(filename=...)

Messages with attachments never take the prepared-bytes path of `communications.fastmail`.
"""

from collections.abc import Iterable

from django.core.mail import EmailMultiAlternatives

from .providers import Attachment


def attachments_add(message: EmailMultiAlternatives, attachments: Iterable[Attachment]) -> None:
    """Add each attachment to `message`, as a file or as a body alternative."""
    for attachment in attachments:
        if attachment.alternative:
            content = attachment.content
            if isinstance(content, bytes):
                content = content.decode("utf-8")
            # Django builds a text/* alternative as MIMEText(content, subtype, charset): the
            # parameters after the subtype ("calendar; method=REQUEST") stay in Content-Type.
            message.attach_alternative(content, attachment.mimetype)
        else:
            message.attach(attachment.filename, attachment.content, attachment.mimetype)
