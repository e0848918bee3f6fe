"""Reads for pages and other apps: delivery counts, a stakeholder's log, cadence per project."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Exists, Max, OuterRef, Value, When
from django.utils import timezone

from .models import Communication, Delivery, MailServerStatus, ProjectCadence

# Stakeholder groups for "last heard from us", from the most specific affiliation.
GROUPS = [
    ("district", "Districts"),
    ("partner_center", "Partner centers"),
    ("organization", "Other organizations"),
    ("sea", "State agency"),
    ("other", "Others"),
]
GROUP_LABELS = dict(GROUPS)

_group = Case(
    When(stakeholder__district__isnull=False, then=Value("district")),
    When(stakeholder__partner_center__isnull=False, then=Value("partner_center")),
    When(stakeholder__organization__isnull=False, then=Value("organization")),
    When(stakeholder__sea__isnull=False, then=Value("sea")),
    default=Value("other"),
    output_field=CharField(),
)


def status_counts(deliveries) -> dict[str, int]:
    """Deliveries per status (every status present, zero when none)."""
    counts = dict(deliveries.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in Delivery.Status.values}


def waiting_on_mail_server(counts: dict[str, int]) -> MailServerStatus | None:
    """The mail server's status when deliveries wait (`counts` from `status_counts`) while the
    workers last found it unreachable; None otherwise."""
    if not (counts.get(Delivery.Status.PENDING) or counts.get(Delivery.Status.SENDING)):
        return None
    status = MailServerStatus.objects.filter(pk=MailServerStatus.SINGLETON).first()
    return status if status is not None and status.is_unreachable else None


def delivery_deadline_text() -> str:
    from .sending import delivery_deadline, duration_text

    return duration_text(delivery_deadline())


def stakeholder_log(stakeholder, *, limit: int = 50):
    """What the portal sent (or tried to send) to `stakeholder`, newest first."""
    return (
        Delivery.objects.to_stakeholders()
        .filter(stakeholder=stakeholder)
        .select_related("communication", "occurrence")
        .order_by("-occurrence__scheduled_for", "-pk")[:limit]
    )


@dataclass
class ProjectHeard:
    project: object
    cadence: ProjectCadence | None
    by_group: dict = field(default_factory=dict)

    @property
    def last(self) -> datetime.datetime | None:
        values = [v for v in self.by_group.values() if v]
        return max(values) if values else None

    @property
    def overdue(self) -> bool:
        if self.cadence is None:
            return False
        return self.last is None or timezone.now() - self.last > self.cadence.expected

    @property
    def groups(self) -> list[tuple[str, datetime.datetime | None]]:
        return [(label, self.by_group.get(key)) for key, label in GROUPS if key in self.by_group]


def projects_last_heard(projects, *, cadences: dict | None = None) -> list[ProjectHeard]:
    """Per project, when each stakeholder group last received a message about it.

    A message counts for a project when the communication names the project and the recipient
    is one of the project's stakeholders. Three queries whatever the number of projects (none
    when there are none); two when the caller passes the projects' `cadences` (project id ->
    ProjectCadence).
    """
    projects = list(projects)
    if not projects:
        return []
    ids = [p.pk for p in projects]
    if cadences is None:
        cadences = {c.project_id: c for c in ProjectCadence.objects.filter(project_id__in=ids)}
    from projects.models import Project

    members = Project.stakeholders.through.objects.filter(project_id__in=ids)
    rows = (
        Delivery.objects.to_stakeholders()
        .filter(status__in=[Delivery.Status.SENT, Delivery.Status.DIGESTED])
        .filter(communication__project_id__in=ids)
        .filter(
            Exists(
                members.filter(
                    project_id=OuterRef("communication__project_id"),
                    stakeholder_id=OuterRef("stakeholder_id"),
                )
            )
        )
        .annotate(group=_group)
        .values("communication__project_id", "group")
        .annotate(last=Max("sent_at"))
        .order_by()
    )
    heard: dict[int, dict] = {pid: {} for pid in ids}
    for row in rows:
        heard[row["communication__project_id"]][row["group"]] = row["last"]
    return [ProjectHeard(project=p, cadence=cadences.get(p.pk), by_group=heard[p.pk]) for p in projects]


def cadence_overdue(user, *, sea=None) -> list[ProjectHeard]:
    """Projects `user` may see (of one `sea`, if given) whose stakeholders have not heard from us
    within the project's cadence."""
    from projects.models import Project

    projects = Project.objects.visible_to(user).filter(cadence__isnull=False, status="active")
    if sea is not None:
        projects = projects.filter(sea=sea)
    projects = list(projects.select_related("sea", "cadence"))
    cadences = {p.pk: p.cadence for p in projects}
    return [p for p in projects_last_heard(projects, cadences=cadences) if p.overdue]


@dataclass(frozen=True)
class Progress:
    """Where a communication stands, read from its deliveries (`communication_progress`)."""

    label: str
    tone: str  # a Bootstrap colour: secondary, info, primary, success, warning, danger
    detail: str
    next_run: datetime.datetime | None = None


def communication_progress(communication) -> Progress:
    """The one rule for a communication's status: scheduled → sending → sent, sent with
    failures or failed, with counts, and the next run of a recurring one.

    `communication` comes from `Communication.objects.with_progress()` and carries the counts
    `communications_progress` sets.
    """
    sent, failed, waiting = communication.sent, communication.failed, communication.waiting
    held = getattr(communication, "held", 0)
    next_run = communication.next_run
    done = sent + failed
    counts = f"{sent} sent, {failed} failed" + (f", {waiting} waiting" if waiting else "")
    if held:
        counts += f", {held} held for digests"
    if communication.status == Communication.Status.CANCELLED:
        return Progress("Cancelled", "secondary", counts if done else "Nothing was sent.")
    if waiting:
        if done:
            return Progress("Sending", "info", f"{done} of {done + waiting} done: {counts}", next_run)
        return Progress("Sending", "info", f"{waiting} waiting to be sent", next_run)
    if done:
        if failed == 0:
            label, tone = "Sent", "success"
        elif sent == 0:
            label, tone = "Failed", "danger"
        else:
            label, tone = "Sent with failures", "warning"
        return Progress(label, tone, counts, next_run)
    if next_run is not None:
        return Progress("Scheduled", "primary", "Not sent yet", next_run)
    if communication.status == Communication.Status.SCHEDULED:
        return Progress("Scheduled", "primary", counts if held else "Not sent yet")
    return Progress("Draft", "secondary", "Not scheduled")


NO_DELIVERIES = {"sent": 0, "failed": 0, "waiting": 0, "held": 0}


def communications_progress(communications) -> list:
    """The communications (of `with_progress()`, already cut to the page shown) with their
    delivery counts and `progress`: one query for all of them, whatever their history."""
    communications = list(communications)
    counts = Delivery.objects.progress_counts(c.pk for c in communications) if communications else {}
    for communication in communications:
        for name, value in counts.get(communication.pk, NO_DELIVERIES).items():
            setattr(communication, name, value)
        communication.progress = communication_progress(communication)
    return communications
