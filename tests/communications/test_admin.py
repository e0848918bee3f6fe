import pytest
from django.urls import reverse

from communications import sending, services
from tests.communications.factories import compose
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def test_admin_changelists_and_change_pages_render(admin_client, facilitator, ct):
    StakeholderFactory.create_batch(2, sea=ct)
    communication = compose(facilitator, audience={"seas": [ct.pk]})
    services.communication_schedule(communication=communication)
    sending.communications_tick()
    for model in ("communication", "occurrence", "delivery", "projectcadence"):
        assert admin_client.get(reverse(f"admin:communications_{model}_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:communications_communication_change", args=[communication.pk]))
    assert page.status_code == 200
    assert admin_client.get(reverse("admin:communications_delivery_add")).status_code == 403
