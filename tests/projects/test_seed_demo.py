import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import User
from meetings.models import Meeting
from projects.models import Activity, ConditionAssessment, Indicator, Product, Project
from stakeholders.models import SEA, AdvisoryBody, District, PartnerCenter

pytestmark = pytest.mark.django_db


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models() if model._meta.managed}


def test_seed_demo_loads_the_world_of_the_sources(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo", stdout=None)

    assert set(SEA.objects.values_list("short_name", flat=True)) == {"CSDE", "NYSED", "RIDE"}
    assert District.objects.filter(sea__state_code="CT", is_demo=True).count() == 8
    rcc = AdvisoryBody.objects.get(short_name="RCC")
    assert (
        rcc.memberships.filter(represents_center__isnull=False)
        .exclude(represents_center__short_name="R2CC")
        .count()
        == 6
    )
    rab = AdvisoryBody.objects.get(short_name="RAB")
    assert rab.purposes.count() == 3
    assert rab.memberships.filter(represents_organization__name__icontains="School Boards").exists()

    project = Project.objects.get(title="Diversifying Connecticut's educator workforce")
    assert project.lead_center.short_name == "R2CC"
    assert list(project.partner_centers.values_list("short_name", flat=True)) == ["REL NEI"]
    assert project.districts.count() == 8
    assert project.scope_changes.count() >= 1
    assert Activity.objects.filter(project=project).count() >= 5
    assert Product.objects.filter(project=project, lead_center__short_name="REL NEI").exists()
    assert Indicator.objects.filter(project=project, values__isnull=False).distinct().count() >= 1
    assert ConditionAssessment.objects.filter(project=project).values("condition").distinct().count() == 5
    for code in ("NY", "RI"):
        assert Project.objects.filter(sea__state_code=code).count() >= 2
    assert PartnerCenter.objects.count() >= 7
    assert Meeting.objects.filter(body=rab).exists()
    assert Meeting.objects.filter(body=rcc).exists()

    for username in ("ct.staff", "ny.staff", "ri.staff", "facilitator", "admin"):
        assert authenticate(username=username, password="demo-pass-123") is not None
    assert User.objects.get(username="ct.staff").sea.state_code == "CT"
    assert User.objects.get(username="ct.staff").is_sea_staff
    assert User.objects.get(username="facilitator").is_facilitator
    assert User.objects.get(username="admin").is_superuser


def test_seed_demo_twice_changes_nothing(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    assert "password" in first  # a random password is printed once
    before = row_counts()
    call_command("seed_demo")
    second = capsys.readouterr().out
    assert row_counts() == before
    assert "nothing changed" in second
    assert "password" not in second


def test_a_lost_demo_password_is_recovered_with_reset_passwords(monkeypatch, capsys):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo")
    call_command("seed_demo", "--reset-passwords")
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert printed.startswith(
        "Demo accounts admin, ct.staff, facilitator, ny.staff, ri.staff now have the password "
    )
    new_password = printed.rsplit(" ", 1)[1]
    assert authenticate(username="ct.staff", password=new_password) is not None
    # The dashboards' hours are there at once, not after the next rollup refresh.
    from projects.models import ActivityMonth

    assert ActivityMonth.objects.exists()


def test_seed_demo_tells_how_requests_came_in_and_districts_adopted(monkeypatch):
    from intake.models import TARequest
    from projects.models import ProductAdoption, ProjectMember

    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo", stdout=None)
    statuses = dict(TARequest.objects.values_list("title", "status"))
    assert statuses["Statewide literacy curriculum review"] == "declined"
    referred = TARequest.objects.get(status="referred")
    assert referred.referred_to.short_name == "REL NEI"
    assert referred.decision_reason
    ct_request = TARequest.objects.get(status="became_project")
    assert ct_request.project.title == "Diversifying Connecticut's educator workforce"
    template = Product.objects.get(title="Statewide recruitment action-plan template")
    adopted = set(ProductAdoption.objects.filter(product=template).values_list("district__name", flat=True))
    assert adopted == set(template.project.districts.values_list("name", flat=True))
    assert len(adopted) == 8
    assert ProjectMember.objects.filter(project=template.project, role="center_lead").count() == 1
