"""CSV import of districts and stakeholders in the admin: preview first, nothing from a bad file."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stakeholders.models import District, Stakeholder
from tests.stakeholders.factories import DistrictFactory, StakeholderFactory


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def error_rows(page: str) -> list[str]:
    return re.findall(r"<tr>\s*<td>(\d+)\s*</td>\s*<td class=\"errors\">", page)


def preview(client, model_name, text):
    upload = SimpleUploadedFile("rows.csv", text.encode(), content_type="text/csv")
    return client.post(
        reverse(f"admin:stakeholders_{model_name}_import"), {"import_file": upload, "format": "0"}
    )


def confirm(client, model_name, response):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, form[name].value()) for name in form.fields}
    return client.post(reverse(f"admin:stakeholders_{model_name}_process_import"), data)


@pytest.mark.django_db
def test_district_import_previews_then_imports(admin_client, ct):
    existing = DistrictFactory(sea=ct, nces_id="0900001", name="Old name")
    csv = "nces_id,name,state,is_demo\n0900001,New name,CT,0\n0900002,Brand New District,CT,1\n"
    response = preview(admin_client, "district", csv)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Brand New District" in page
    assert "Update" in page
    assert "New" in page
    # Nothing is saved by the preview.
    assert District.objects.count() == 1
    existing.refresh_from_db()
    assert existing.name == "Old name"

    done = confirm(admin_client, "district", response)
    assert done.status_code == 302
    existing.refresh_from_db()
    assert existing.name == "New name"
    assert District.objects.get(nces_id="0900002").is_demo is True


@pytest.mark.django_db
def test_a_file_with_bad_rows_imports_nothing_and_names_the_lines(admin_client, ct):
    csv = (
        "nces_id,name,state,is_demo\n"
        "0900003,Good District,CT,0\n"
        "12,Short Id District,CT,0\n"
        "0900004,Nowhere District,ZZ,0\n"
    )
    response = preview(admin_client, "district", csv)
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context.get("confirm_form") is None
    assert "Some rows failed to validate" in page
    # Rows are numbered from the first data row (line 2 of the file).
    assert error_rows(page) == ["2", "3"]
    assert "seven digits" in page
    assert "There is no SEA “ZZ”" in page
    assert not District.objects.exists()


@pytest.mark.django_db
def test_stakeholder_import_matches_e_mail_whatever_its_case(admin_client, ct, ny):
    person = StakeholderFactory(sea=ct, email="Jane.Doe@example.org", first_name="Jane", last_name="Doe")
    district = DistrictFactory(sea=ct, nces_id="0900010")
    csv = (
        "email,first_name,last_name,title,state,district_nces_id,organization,partner_center,is_active\n"
        "jane.doe@example.org,Jane,Doe-Smith,Director,CT,0900010,,,1\n"
        "new.person@example.org,New,Person,,CT,,,,\n"
    )
    response = preview(admin_client, "stakeholder", csv)
    assert response.status_code == 200
    assert Stakeholder.objects.count() == 1
    assert confirm(admin_client, "stakeholder", response).status_code == 302
    person.refresh_from_db()
    assert (person.last_name, person.district, person.title) == ("Doe-Smith", district, "Director")
    assert Stakeholder.objects.get(email="new.person@example.org").is_active is True


@pytest.mark.django_db
def test_stakeholder_in_a_district_of_another_state_is_rejected(admin_client, ct, ny):
    DistrictFactory(sea=ny, nces_id="3600010")
    csv = (
        "email,first_name,last_name,title,state,district_nces_id,organization,partner_center,is_active\n"
        "ok@example.org,Ok,Person,,CT,,,,1\n"
        "wrong@example.org,Wrong,State,,CT,3600010,,,1\n"
    )
    response = preview(admin_client, "stakeholder", csv)
    page = response.content.decode()
    assert response.context.get("confirm_form") is None
    assert error_rows(page) == ["2"]
    assert "belongs to another state" in page
    assert not Stakeholder.objects.exists()


@pytest.mark.django_db
def test_sea_staff_cannot_import(client, ct_staff):
    client.force_login(ct_staff)
    response = client.get(reverse("admin:stakeholders_district_import"))
    assert response.status_code == 302  # not admin staff: sent to sign in
