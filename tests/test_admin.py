"""Every model's admin pages render, stay within a query budget, and follow the house rules.

App-specific admin behaviour is tested beside each app (tests/<app>/test_admin.py).
"""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import ForeignKey, ManyToManyField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import SecurityEvent
from projects.models import (
    Activity,
    ActivityMonth,
    Condition,
    Goal,
    Objective,
    Project,
    RollupWatermark,
    ScopeChange,
)
from stakeholders.models import BodyPurpose, CommunicationCategory, CommunicationPreference
from tests.accounts.factories import FacilitatorFactory, SEAStaffFactory, UserFactory
from tests.projects.factories import (
    ActivityFactory,
    ConditionAssessmentFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProductFactory,
    ProjectFactory,
    condition,
)
from tests.stakeholders.factories import (
    AdvisoryBodyFactory,
    DistrictFactory,
    MembershipFactory,
    OfficeFactory,
    OrganizationFactory,
    PartnerCenterFactory,
    SEAFactory,
    StakeholderFactory,
)

PORTAL_APPS = ("accounts", "stakeholders", "projects", "intake")


def _stakeholder():
    sea = SEAFactory()
    return StakeholderFactory(sea=sea, office=OfficeFactory(sea=sea), partner_center=PartnerCenterFactory())


def _goal():
    return Goal.objects.create(project=ProjectFactory(), number=1, statement="Agree a common agenda.")


def _activity():
    activity = ActivityFactory(author=UserFactory())
    activity.conditions.add(condition(3))
    activity.participants.add(StakeholderFactory(sea=activity.project.sea))
    return activity


def _membership():
    return MembershipFactory(
        represents_sea=None, represents_center=PartnerCenterFactory(), role="chair", term_end=None
    )


# One new, distinct row per call, with its relations filled so that list columns follow them.
def _adoption():
    from projects.models import ProductAdoption
    from tests.stakeholders.factories import DistrictFactory

    product = ProductFactory()
    district = DistrictFactory(sea=product.project.sea)
    product.project.districts.add(district)
    return ProductAdoption.objects.create(
        product=product, district=district, adopted_on=datetime.date(2025, 5, 1)
    )


def _status_change():
    from django.contrib.contenttypes.models import ContentType

    from projects.models import Project, StatusChange

    project = ProjectFactory()
    return StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(Project),
        object_id=project.pk,
        transition="pause",
        source="active",
        target="paused",
        note="Budget",
    )


def _ta_request():
    from intake.models import TARequest

    project = ProjectFactory()
    return TARequest.objects.create(
        sea=project.sea,
        title="A request",
        problem="A problem",
        desired_outcome="An outcome",
        contact_name="Pat",
        contact_email="pat@example.org",
    )


BUILDERS = {
    "accounts.user": SEAStaffFactory,
    "accounts.securityevent": lambda: SecurityEvent.objects.create(
        kind="sign_in", user=SEAStaffFactory(), ip_address="192.0.2.1", path="/accounts/login/"
    ),
    "auth.group": lambda: Group.objects.create(name=f"Group {Group.objects.count() + 1}"),
    "stakeholders.sea": SEAFactory,
    "stakeholders.office": OfficeFactory,
    "stakeholders.district": DistrictFactory,
    "stakeholders.partnercenter": PartnerCenterFactory,
    "stakeholders.organization": lambda: OrganizationFactory(sea=SEAFactory()),
    "stakeholders.stakeholder": _stakeholder,
    "stakeholders.advisorybody": lambda: AdvisoryBodyFactory(convened_by=PartnerCenterFactory()),
    "stakeholders.bodypurpose": lambda: BodyPurpose.objects.create(
        body=AdvisoryBodyFactory(), number=1, text="Assess state and regional needs."
    ),
    "stakeholders.membership": _membership,
    "stakeholders.communicationpreference": lambda: CommunicationPreference.objects.create(
        stakeholder=StakeholderFactory(), category=CommunicationCategory.MEETING, delivery="weekly"
    ),
    "projects.project": ProjectFactory,
    "projects.activitymonth": lambda: ActivityMonth.objects.create(
        sea=SEAFactory(), month=datetime.date(2025, 1, 1), condition_number=0, hours=3, activities=2
    ),
    "projects.rollupwatermark": lambda: RollupWatermark.objects.create(
        name=f"rollup {RollupWatermark.objects.count() + 1}",
        refreshed_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
    ),
    "projects.scopechange": lambda: ScopeChange.objects.create(
        project=ProjectFactory(),
        changed_on=datetime.date(2020, 4, 1),
        summary="Coaching moved online",
        reason="Schools closed.",
        recorded_by=UserFactory(),
    ),
    "projects.goal": _goal,
    "projects.objective": lambda: Objective.objects.create(
        goal=_goal(), number=1, statement="Publish the template.", target_date=datetime.date(2025, 6, 1)
    ),
    "projects.conditionassessment": lambda: ConditionAssessmentFactory(assessor=UserFactory()),
    "projects.activity": _activity,
    "projects.indicator": lambda: IndicatorFactory(target_date=datetime.date(2026, 6, 30)),
    "projects.indicatorvalue": lambda: IndicatorValueFactory(recorded_by=UserFactory()),
    "projects.product": lambda: ProductFactory(due_date=datetime.date(2025, 1, 31)),
    "projects.goalproposal": lambda: __import__("projects.models").models.GoalProposal.objects.create(
        goal=_goal(), statement="Reworded", reason="Board asked"
    ),
    "projects.topic": lambda: __import__("projects.models").models.Topic.objects.first(),
    "projects.productversion": lambda: __import__("projects.models").models.ProductVersion.objects.create(
        product=ProductFactory(), label="1.0", link="https://example.org/v1"
    ),
    "projects.productadoption": _adoption,
    "projects.statuschange": lambda: _status_change(),
    "intake.tarequest": lambda: _ta_request(),
    "projects.projectmember": lambda: __import__("projects.models").models.ProjectMember.objects.create(
        project=ProjectFactory(), user=FacilitatorFactory(), role="center_staff"
    ),
}


def registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label_lower)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def one_instance(model):
    """A row to open: built fresh where a builder exists, else any existing row (reference data)."""
    builder = BUILDERS.get(model._meta.label_lower)
    if builder is not None:
        return builder()
    if model._meta.app_label in PORTAL_APPS and model is not Condition:
        pytest.fail(f"Add a builder for {model._meta.label} to BUILDERS.")
    return model._default_manager.first()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label_lower)
def test_admin_pages_render(admin_client, rf, admin_user, model):
    model_admin = admin.site._registry[model]
    obj = one_instance(model)
    request = rf.get("/")
    request.user = admin_user

    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    if obj is not None:
        assert admin_url(model, "change", obj.pk) in changelist.content.decode()

    add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == (200 if model_admin.has_add_permission(request) else 403)

    if obj is None:
        pytest.skip(f"No {model._meta.label} row to open.")
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    if isinstance(model_admin, SimpleHistoryAdmin):
        assert admin_client.get(admin_url(model, "history", obj.pk)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [m for m in registered_models() if m._meta.label_lower in BUILDERS],
    ids=lambda model: model._meta.label_lower,
)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    url = admin_url(model, "changelist")
    BUILDERS[model._meta.label_lower]()
    admin_client.get(url)  # warm per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    for _ in range(4):
        BUILDERS[model._meta.label_lower]()
    with CaptureQueriesContext(connection) as more:
        assert admin_client.get(url).status_code == 200
    assert len(more) == len(few), "\n".join(q["sql"] for q in more.captured_queries)


@pytest.mark.django_db
def test_activity_changelist_queries_are_the_same_for_5_and_30_activities(admin_client):
    url = admin_url(Activity, "changelist")
    for _ in range(5):
        _activity()
    admin_client.get(url)
    with CaptureQueriesContext(connection) as five:
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 5
    for _ in range(25):
        _activity()
    with CaptureQueriesContext(connection) as thirty:
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 30
    assert len(thirty) == len(five)


def test_every_portal_model_is_registered():
    missing = [
        model._meta.label
        for app_label in PORTAL_APPS
        for model in apps.get_app_config(app_label).get_models()
        # simple_history's Historical* models are read through their model's admin.
        if not hasattr(model, "instance_type") and model not in admin.site._registry
    ]
    assert missing == []


def test_models_with_history_use_the_history_admin():
    without = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if hasattr(model._meta, "simple_history_manager_attribute")
        and not isinstance(model_admin, SimpleHistoryAdmin)
    ]
    assert without == []


def _relation_fields(model, field_names):
    for name in field_names:
        field = model._meta.get_field(name)
        if isinstance(field, ForeignKey | ManyToManyField) and field.related_model in admin.site._registry:
            yield name


def _form_field_names(model_admin, model):
    if model_admin.fieldsets:
        return [name for _, options in model_admin.fieldsets for name in options["fields"]]
    if model_admin.fields:
        return list(model_admin.fields)
    return [f.name for f in model._meta.get_fields() if getattr(f, "editable", False) and f.concrete]


def test_relations_to_registered_models_use_autocomplete():
    """A select listing every district or stakeholder would be huge; autocomplete (or a raw id)
    scales."""
    plain = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PORTAL_APPS:
            continue
        scalable = {
            *model_admin.readonly_fields,
            *model_admin.autocomplete_fields,
            *model_admin.raw_id_fields,
        }
        plain.extend(
            f"{model._meta.label}.{name}"
            for name in _relation_fields(model, _form_field_names(model_admin, model))
            if name not in scalable
        )
        for inline in model_admin.inlines:
            fk_name = inline.fk_name or next(
                f.name
                for f in inline.model._meta.fields
                if isinstance(f, ForeignKey) and f.related_model is model
            )
            names = [n for n in inline.fields if n != fk_name and n not in inline.readonly_fields]
            plain.extend(
                f"{inline.__name__}.{name}"
                for name in _relation_fields(inline.model, names)
                if name not in inline.autocomplete_fields
            )
    assert plain == []


@pytest.mark.django_db
def test_project_history_shows_an_admin_change(admin_client, admin_user):
    project = ProjectFactory(status=Project.Status.ACTIVE)
    data = {
        "title": "Renamed in the admin",
        "problem_statement": project.problem_statement,
        "start_date": "2024-09-01",
        "end_date": "",
        "sea": project.sea_id,
        "lead_center": project.lead_center_id,
    }
    # The status is read-only here (it moves in the portal, with a reason): the title changes.
    for prefix in ("team", "goals", "scope_changes", "indicators", "products"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = admin_client.post(admin_url(Project, "change", project.pk), data)
    assert response.status_code == 302, response.context["errors"]

    history = admin_client.get(admin_url(Project, "history", project.pk))
    assert history.status_code == 200
    records = history.context["page_obj"].object_list
    assert [(record.title, record.history_user_id) for record in records] == [
        ("Renamed in the admin", admin_user.pk),
        (project.title, None),
    ]
    page = " ".join(history.content.decode().split())
    assert "Renamed in the admin" in page
    assert f'{admin_url(type(admin_user), "change", admin_user.pk)}">{admin_user}</a>' in page


@pytest.mark.django_db
def test_conditions_are_read_only_in_admin(admin_client):
    common_agenda = Condition.objects.get(number=1)
    change_url = admin_url(Condition, "change", common_agenda.pk)

    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()
    assert common_agenda.description in page.content.decode()

    assert admin_client.get(admin_url(Condition, "add")).status_code == 403
    assert admin_client.post(change_url, {"name": "Renamed"}).status_code == 403
    assert admin_client.get(admin_url(Condition, "delete", common_agenda.pk)).status_code == 403
    common_agenda.refresh_from_db()
    assert common_agenda.name == "Common agenda"
