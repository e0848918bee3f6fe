"""A facilitator records a condition self-assessment and sees the heat map change."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from projects.models import ConditionAssessment
from tests.projects.factories import ConditionAssessmentFactory, ProjectFactory, condition

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def project(ct):
    project = ProjectFactory(sea=ct, title="Diversifying Connecticut's educator workforce")
    ConditionAssessmentFactory(
        project=project,
        condition=condition(1),
        stage=1,
        assessed_on=datetime.date(2024, 10, 1),
        evidence="A draft vision statement circulated to the Talent Office.",
    )
    return project


def test_facilitator_records_an_assessment_and_the_heat_map_changes(
    page, facilitator, project, sign_in, assert_accessible, screenshot
):
    sign_in(facilitator)
    cell = f'#heatmap td[data-project="{project.pk}"][data-condition="1"]'
    page.goto("/")
    expect(page.locator(cell)).to_contain_text("1")
    expect(page.locator(f'#heatmap td[data-project="{project.pk}"][data-condition="4"]')).to_contain_text("—")

    page.goto(reverse("projects:assessment_create", args=[project.pk]))
    expect(page.get_by_role("heading", name="Assess the five conditions")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Oct 1, 2024")
    screenshot(page, "assessment-form")
    assert_accessible(page)
    stages = {
        1: "3 · Established",
        2: "2 · Developing",
        3: "2 · Developing",
        4: "4 · Sustaining",
        5: "1 · Emerging",
    }
    for number, stage in stages.items():
        section = page.locator("fieldset.border").nth(number - 1)
        section.get_by_label(stage).check()
        section.get_by_label("Evidence").fill(
            f"Evidence for condition {number}: minutes of the March meeting."
        )
    page.get_by_role("button", name="Record assessment").click()
    expect(
        page.get_by_text("The assessment of Diversifying Connecticut's educator workforce is recorded.")
    ).to_be_visible()
    assert ConditionAssessment.objects.filter(project=project).count() == 6

    page.goto("/")
    expect(page.locator(cell)).to_contain_text("3")
    expect(page.locator(cell)).to_contain_text("Established")
    expect(page.locator(f'#heatmap td[data-project="{project.pk}"][data-condition="4"]')).to_contain_text("4")
    screenshot(page, "home-after-assessment")


def test_sea_staff_assessment_form_with_errors(
    page, ct_staff, project, sign_in, assert_accessible, screenshot
):
    sign_in(ct_staff)
    page.goto(reverse("projects:assessment_create", args=[project.pk]))
    page.get_by_label("Date of the assessment").fill("2999-01-01")
    page.get_by_role("button", name="Record assessment").click()
    expect(page.get_by_text("An assessment cannot be dated in the future.", exact=True)).to_be_visible()
    expect(page.get_by_text("Give the evidence for common agenda.", exact=True)).to_be_visible()
    screenshot(page, "assessment-form-errors")
    assert_accessible(page)
    assert ConditionAssessment.objects.filter(project=project).count() == 1


def test_another_states_assessment_page_is_404(page, ny_staff, project, sign_in):
    sign_in(ny_staff)
    response = page.goto(reverse("projects:assessment_create", args=[project.pk]))
    assert response.status == 404
