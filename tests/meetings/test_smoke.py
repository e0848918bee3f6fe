from django.urls import reverse


def test_body_page_renders_for_facilitator(client, facilitator, rab, members):
    client.force_login(facilitator)
    response = client.get(reverse("meetings:body_detail", args=[rab.pk]))
    assert response.status_code == 200
    assert b"Dana Todd" in response.content
