"""Security-log rows for sign-ins, lockouts and permission changes, wherever they happen."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from .services import security_event_record

User = get_user_model()
WATCHED_USER_FIELDS = ("is_active", "is_staff", "is_superuser", "sea_id")


@receiver(user_logged_in, dispatch_uid="security_log_sign_in")
def log_sign_in(request, user, **kwargs):
    security_event_record(kind="sign_in", request=request, user=user)


@receiver(user_logged_out, dispatch_uid="security_log_sign_out")
def log_sign_out(request, user, **kwargs):
    if user is not None:
        security_event_record(kind="sign_out", request=request, user=user)


@receiver(user_login_failed, dispatch_uid="security_log_sign_in_failed")
def log_sign_in_failed(credentials, request=None, **kwargs):
    locked = bool(getattr(request, "axes_locked_out", False))
    security_event_record(
        kind="sign_in_failed",
        request=request,
        user=None,
        username=str(credentials.get("username", ""))[:150],
        detail={"reason": "locked out" if locked else "wrong user name or password"},
    )


@receiver(user_locked_out, dispatch_uid="security_log_locked_out")
def log_locked_out(request, username, ip_address, **kwargs):
    security_event_record(
        kind="locked_out",
        request=request,
        user=None,
        username=str(username or "")[:150],
        detail={"ip_address": ip_address},
    )


def _actor_detail(target: str, **detail) -> dict:
    return {"target": target, **detail}


@receiver(pre_save, sender=User, dispatch_uid="security_log_user_before")
def remember_user_flags(instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._security_before = None
        return
    instance._security_before = User.objects.filter(pk=instance.pk).values(*WATCHED_USER_FIELDS).first()


@receiver(post_save, sender=User, dispatch_uid="security_log_user_after")
def log_user_flag_changes(instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_security_before", None)
    if created:
        flags = {f: getattr(instance, f) for f in WATCHED_USER_FIELDS if getattr(instance, f)}
        if flags.get("is_staff") or flags.get("is_superuser"):
            security_event_record(
                kind="permission_change",
                detail=_actor_detail(instance.username, created=True, changes=flags),
            )
        return
    if before is None:
        return
    changes = {
        field: [before[field], getattr(instance, field)]
        for field in WATCHED_USER_FIELDS
        if before[field] != getattr(instance, field)
    }
    if changes:
        security_event_record(
            kind="permission_change", detail=_actor_detail(instance.username, changes=changes)
        )


def _m2m_names(model, pk_set) -> list[str]:
    if not pk_set:
        return []
    if model is Group:
        return sorted(model.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in model.objects.filter(pk__in=pk_set))


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="security_log_user_groups")
@receiver(m2m_changed, sender=User.user_permissions.through, dispatch_uid="security_log_user_permissions")
@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="security_log_group_permissions")
def log_m2m_permission_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action != "pre_clear" and not pk_set:
        return
    relation = {
        User.groups.through: "groups",
        User.user_permissions.through: "user_permissions",
        Group.permissions.through: "permissions",
    }[sender]
    if action == "pre_clear":
        # After the clear the names are gone: read them now.
        if reverse:
            return
        pk_set = set(getattr(instance, relation).values_list("pk", flat=True))
        if not pk_set:
            return
    verb = {"post_add": "added", "post_remove": "removed", "pre_clear": "removed"}[action]
    if reverse:
        # e.g. group.user_set.add(user): instance is the group, pk_set the users.
        target = str(instance)
        names = sorted(str(obj) for obj in model.objects.filter(pk__in=pk_set or ()))
        detail = _actor_detail(target, relation=relation, **{verb: names})
    else:
        target = instance.username if isinstance(instance, User) else f"group {instance.name}"
        detail = _actor_detail(target, relation=relation, **{verb: _m2m_names(model, pk_set)})
    security_event_record(kind="permission_change", detail=detail)
