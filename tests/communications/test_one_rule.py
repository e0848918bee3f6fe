"""One answer to "who may compose" and "how is a CSV written", whoever asks."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Role
from communications import sending, services
from communications.models import Delivery
from tests.accounts.factories import SEAStaffFactory, UserFactory
from tests.communications.factories import compose
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def _users(ct):
    no_state = SEAStaffFactory(username="staff.without.state", sea=None)
    inactive = SEAStaffFactory(username="inactive.staff", sea=ct, is_active=False)
    return {
        "sea staff": (SEAStaffFactory(username="staff.ct", sea=ct), True),
        "facilitator": (UserFactory(username="fac", role=Role.FACILITATOR), True),
        "administrator": (UserFactory(username="adm", role=Role.ADMINISTRATOR), True),
        "sea staff without a state": (no_state, False),
        "no role": (UserFactory(username="nobody"), False),
        "inactive": (inactive, False),
    }


def test_nav_pages_and_service_agree_on_who_may_compose(client, ct):
    for label, (user, allowed) in _users(ct).items():
        client.force_login(user)
        home = client.get(reverse("home"))
        if home.status_code == 200:
            assert (reverse("communications:list") in home.content.decode()) is allowed, label
        page = client.get(reverse("communications:list"))
        assert page.status_code in ((200,) if allowed else (302, 404)), label
        try:
            compose(user)
        except (PermissionDenied, ValidationError):
            composed = False
        else:
            composed = True
        assert composed is allowed, label


def test_delivery_csv_defuses_formulas_like_every_export(client, facilitator, ct):
    StakeholderFactory(sea=ct, first_name="=HYPERLINK(evil)", last_name="@SUM(A1)")
    communication = compose(facilitator, audience={"seas": [ct.pk]})
    services.communication_schedule(communication=communication)
    sending.communications_tick()
    while sending.deliveries_send_batch():
        pass
    Delivery.objects.update(status="failed", last_error="+1 bad mailbox")
    client.force_login(facilitator)
    response = client.get(reverse("communications:report", args=[communication.pk]), {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff"), "the shared writer starts with a byte-order mark"
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[1][1:3] == ["'=HYPERLINK(evil)", "'@SUM(A1)"]
    assert rows[1][7] == "'+1 bad mailbox"
    assert response["Cache-Control"] == "private, no-store"
