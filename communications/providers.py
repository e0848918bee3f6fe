"""Per-recipient context for communications, computed at send time.

Another app registers a provider by name and a communication names it
(`communication_compose(..., context_provider="meetings.invitation", context_object_id=...)`).
For each recipient, just before the mail goes out, the provider returns extra merge fields,
attachments, or `skip=True` to drop that delivery (it ends as "skipped" with the reason).

    @register_context_provider("meetings.invitation")
    def invitation(*, communication, stakeholder) -> ProviderResult:
        ...

A message to a portal user without a directory entry
(`communication_send_to_user`) calls its provider with `stakeholder=None, user=<the user>`;
only providers written for that (taking `user=None`) can be named there.

Modules named `providers` in every installed app are imported when the portal starts, so a
registration there is seen by web processes and workers alike.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Attachment:
    """A file for the message, or (`alternative=True`) a body part beside the text and HTML.

    `mimetype` may carry parameters (`text/calendar; method=REQUEST`). An alternative is where
    mail clients look for an iMIP invitation (RFC 6047) to offer accept and decline; its content
    is text. See `communications.attachments.attachments_add`.
    """

    filename: str
    content: bytes | str
    mimetype: str
    alternative: bool = False


@dataclass
class ProviderResult:
    context: dict = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    skip: bool = False
    reason: str = ""


Provider = Callable[..., ProviderResult]
_registry: dict[str, Provider] = {}


def register_context_provider(name: str) -> Callable[[Provider], Provider]:
    """Register `provider(*, communication, stakeholder) -> ProviderResult` under `name`."""

    def decorator(provider: Provider) -> Provider:
        _registry[name] = provider
        return provider

    return decorator


def get_context_provider(name: str) -> Provider | None:
    return _registry.get(name)
