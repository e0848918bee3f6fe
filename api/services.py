"""API token lifecycle."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.services import security_event_record

from .models import ApiToken, token_hash


def api_token_create(*, user, name: str, expires_in_days: int, request=None) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the key, which is never stored or shown again."""
    if not 1 <= expires_in_days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"expires_in_days": f"Choose between 1 and {settings.API_TOKEN_MAX_DAYS} days."}
        )
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=prefix,
        key_hash=token_hash(key),
        expires_at=now + datetime.timedelta(days=expires_in_days),
    )
    token.full_clean(exclude=["created_at"])
    token.save()
    security_event_record(
        kind="token_created",
        request=request,
        user=user,
        detail={"token": prefix, "name": token.name, "expires_at": token.expires_at.isoformat()},
    )
    return token, key


def api_token_revoke(*, token: ApiToken, by, request=None) -> None:
    """Revoke a token at once; requests that carry it are refused from now on."""
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    security_event_record(
        kind="token_revoked", request=request, user=by, detail={"token": token.prefix, "name": token.name}
    )
