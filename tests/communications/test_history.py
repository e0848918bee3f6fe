"""A communication's history: who composed, edited and cancelled it, also outside a request."""

import pytest

from communications import services
from tests.communications.factories import compose

pytestmark = pytest.mark.django_db


def test_history_names_the_actor_of_each_service(ct_staff, facilitator, ct):
    communication = compose(ct_staff, audience={"seas": [ct.pk]})
    services.communication_update(communication=communication, editor=ct_staff, subject="Revised subject")
    services.communication_cancel(communication=communication, by=facilitator, reason="Superseded")
    versions = list(communication.history.order_by("history_id"))
    assert [(v.history_type, v.history_user) for v in versions] == [
        ("+", ct_staff),
        ("~", ct_staff),
        ("~", facilitator),
    ]
    assert versions[1].subject == "Revised subject"
    assert versions[2].status == "cancelled"
