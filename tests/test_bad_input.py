"""Bad input never reaches a 500: a probe of every page's forms, every list's filters, every admin
page and every API filter, with the junk of tests/bad_input.py.

Walks the same URL configuration and test world as tests/test_access_matrix.py. Each portal page
is read as a facilitator and as SEA staff; every form it renders is sent back with junk (every
field at once, then each field alone), every GET form (the list filters) is sent as a query string,
and every route with a number in its path gets one past bigint. The admin is probed per registered
model, the API per list endpoint and filter. Each request runs in a savepoint that is rolled back.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import django_filters
import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests import access_matrix as matrix
from tests.bad_input import HUGE, QUERY_JUNK, junk_variants, read_forms
from tests.test_access_matrix import all_routes, build_world, url_for

ROLES = ("facilitator", "owner")
# Forms whose submission ends the session the probe runs in.
SKIP_ACTIONS = ("/accounts/logout/", "/admin/logout/")


def _rolled_back(callable_):
    with transaction.atomic():
        response = callable_()
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        else:
            response.content  # noqa: B018  (render inside the savepoint)
        transaction.set_rollback(True)
    return response


class Probe:
    def __init__(self, client: Client):
        self.client = client
        self.failures: list[str] = []
        self.requests = 0

    def send(self, method: str, url: str, data=None, *, label: str, allowed=None):
        self.requests += 1
        started = time.monotonic()
        if method == "get":
            response = _rolled_back(lambda: self.client.get(url, data or {}))
        else:
            response = _rolled_back(lambda: self.client.post(url, data or {}))
        took = time.monotonic() - started
        if took > 2:
            print(f"SLOW {took:.1f}s {method} {url[:100]} [{label}] {response.status_code}")
        status = response.status_code
        bad = status >= 500 if allowed is None else status not in allowed
        if bad:
            self.failures.append(f"{method.upper()} {url[:120]} [{label[:80]}]: {status}")
        return response

    def forms(self, url: str, html: str, *, label: str):
        for form in read_forms(html):
            action = form.action or url
            if not action.startswith("/") or action.startswith(SKIP_ACTIONS):
                continue
            for variant, data in junk_variants(form):
                method = "post" if form.method == "post" else "get"
                self.send(method, action, data, label=f"{label} form {variant}")


def portal_routes():
    routes = all_routes()
    for key in sorted(routes):
        if key.startswith(("admin", "api")):
            continue
        spec = matrix.spec_for(key)
        if spec and "GET" in spec["methods"]:
            yield key, routes[key], spec


GROUPS = sorted({matrix.group_of(key) for key, _, _ in portal_routes()})


@pytest.mark.django_db
@pytest.mark.parametrize("group", GROUPS)
def test_every_form_and_filter_of_the_portal_takes_junk_without_a_500(group, settings):
    world = build_world()
    failures = []
    for role in ROLES:
        client = Client()
        client.force_login(world["users"][role])
        probe = Probe(client)
        for key, pattern, spec in portal_routes():
            if matrix.group_of(key) != group:
                continue
            url = url_for(key, pattern, spec, world)
            page = probe.send("get", url, label=f"{key} as {role}")
            if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
                continue
            html = page.content.decode()
            probe.forms(url, html, label=f"{key} as {role}")
            for name in ("page", "sort"):
                for value in QUERY_JUNK:
                    probe.send("get", f"{url.split('?')[0]}?{urlencode({name: value})}", label=key)
        failures += probe.failures
    assert not failures, "\n".join(failures[:60])


@pytest.mark.django_db
def test_a_number_past_bigint_in_any_path_is_a_404():
    world = build_world()
    client = Client()
    client.force_login(world["users"]["admin"])
    probe = Probe(client)
    for key in sorted(all_routes()):
        spec = matrix.spec_for(key)
        if not (":" in key and "/" not in key) or key.startswith("admin:"):
            continue
        kwargs = {name: HUGE for name in spec.get("kwargs", {}) if name in ("pk", "project_pk")}
        if not kwargs:
            continue
        other = {name: value for name, value in spec.get("kwargs", {}).items() if name not in kwargs}
        url = reverse(key, kwargs={**{n: url_for_value(v, world) for n, v in other.items()}, **kwargs})
        for method in spec["methods"]:
            if method in ("GET", "POST"):
                probe.send(method.lower(), url, label=key, allowed=(404, 405))
    assert not probe.failures, "\n".join(probe.failures)


def url_for_value(value, world):
    from tests.test_access_matrix import resolve_value

    return resolve_value(value, world)


# The admin ------------------------------------------------------------------------------------


def admin_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


def _probe_date_hierarchy(probe, changelist: str, field: str) -> None:
    for query in (
        {f"{field}__year": HUGE},
        {f"{field}__year": "0"},
        {f"{field}__year": "10000"},
        {f"{field}__year": "9999"},
        {f"{field}__year": "9999", f"{field}__month": "12"},
        {f"{field}__year": "9999", f"{field}__month": "12", f"{field}__day": "31"},
        {f"{field}__year": "1", f"{field}__month": "1", f"{field}__day": "1"},
        {f"{field}__year": "2025", f"{field}__month": "13"},
        {f"{field}__year": "2025", f"{field}__month": "2", f"{field}__day": "30"},
    ):
        response = probe.send(
            "get", f"{changelist}?{urlencode(query)}", label="date hierarchy", allowed=(200, 400)
        )
        if query.get(f"{field}__year") in (HUGE, "0", "10000") and response.status_code != 400:
            probe.failures.append(f"{changelist}?{urlencode(query)}: {response.status_code}, not 400")


def _probe_add_form(probe, opts) -> None:
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    for field in opts.get_fields():
        if field.is_relation and field.concrete and (field.many_to_one or field.many_to_many):
            for value in ("abc", HUGE):
                probe.send("get", f"{add}?{urlencode({field.name: value})}", label="add", allowed=(400,))
        elif field.concrete and not field.is_relation and field.editable:
            for value in ("abc", "10000-01-01"):
                probe.send("get", f"{add}?{urlencode({field.name: value})}", label="add initial")
    page = probe.send("get", add, label="add")
    if page.status_code == 200:
        probe.forms(add, page.content.decode(), label="add")


@pytest.mark.django_db
@pytest.mark.parametrize("model", admin_models(), ids=lambda model: model._meta.label_lower)
def test_every_admin_list_and_add_form_takes_junk_without_a_500(model, admin_user):
    build_world()
    client = Client()
    client.force_login(admin_user)
    probe = Probe(client)
    model_admin = admin.site._registry[model]
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    page = probe.send("get", changelist, label="changelist")
    assert page.status_code == 200
    cl = page.context["cl"]
    parameters = {"p", "o", "q", "_to_field"}
    for spec in cl.filter_specs:
        parameters.update(spec.expected_parameters())
    for name in sorted(parameters):
        for value in QUERY_JUNK:
            probe.send("get", f"{changelist}?{urlencode({name: value})}", label=f"filter {name}")
    if model_admin.date_hierarchy:
        _probe_date_hierarchy(probe, changelist, model_admin.date_hierarchy)
    if model_admin.has_add_permission(page.wsgi_request):
        _probe_add_form(probe, opts)
    assert not probe.failures, "\n".join(probe.failures[:60])


# The API --------------------------------------------------------------------------------------


def api_list_routes():
    return sorted(key for key in all_routes() if key.startswith("api:") and key.endswith("-list"))


@pytest.mark.django_db
def test_every_api_filter_takes_junk_with_a_400_or_an_answer():
    from django.urls import resolve

    world = build_world()
    client = Client()
    client.force_login(world["users"]["facilitator"])
    probe = Probe(client)
    for key in api_list_routes():
        url = reverse(key)
        view = resolve(url).func.cls
        filterset_class = getattr(view, "filterset_class", None)
        names = set(getattr(filterset_class, "base_filters", {})) if filterset_class else set()
        names |= {"page", "page_size", "ordering"}
        for name in sorted(names):
            for value in QUERY_JUNK:
                # DRF answers a page that does not exist with 404 ("Invalid page.").
                allowed = (200, 400, 404) if name == "page" else (200, 400)
                probe.send("get", f"{url}?{urlencode({name: value})}", label=name, allowed=allowed)
        if filterset_class:
            for name, declared in filterset_class.base_filters.items():
                if isinstance(declared, django_filters.BooleanFilter):
                    response = probe.send("get", f"{url}?{name}=maybe", label=name, allowed=(400,))
                    if response.status_code == 400:
                        assert name in response.json(), response.json()
    assert not probe.failures, "\n".join(probe.failures[:60])


# The findings of the probe, as they were reported ---------------------------------------------

ADD_PAGES_WITH_AN_AUTOCOMPLETE = [
    ("accounts", "user", "sea"),
    ("stakeholders", "district", "sea"),
    ("stakeholders", "office", "sea"),
    ("stakeholders", "organization", "sea"),
    ("stakeholders", "advisorybody", "convened_by"),
    ("stakeholders", "bodypurpose", "body"),
    ("stakeholders", "communicationpreference", "stakeholder"),
    ("stakeholders", "membership", "stakeholder"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "model", "field"), ADD_PAGES_WITH_AN_AUTOCOMPLETE)
@pytest.mark.parametrize("value", ["abc", HUGE])
def test_a_junk_id_in_an_admin_add_address_is_a_400_with_a_message(
    client, admin_user, app, model, field, value
):
    client.force_login(admin_user)
    response = client.get(reverse(f"admin:{app}_{model}_add"), {field: value})
    assert response.status_code == 400
    assert f"“{value}” in the address is not a valid" in response.content.decode()


@pytest.mark.django_db
def test_a_junk_id_posted_to_an_admin_form_is_a_form_error(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "new.person", "password1": "", "password2": "", "sea": "abc", "groups": ["abc", HUGE]},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "sea" in errors
    assert "groups" in errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"date_joined__year": HUGE},
        {"date_joined__year": "0"},
        {"date_joined__year": "9999", "date_joined__month": "12"},
        {"date_joined__year": "9999"},
    ],
)
def test_an_impossible_date_drill_down_is_a_400_with_a_message(client, admin_user, query):
    client.force_login(admin_user)
    response = client.get(reverse("admin:accounts_user_changelist"), query)
    assert response.status_code == 400
    assert "This list cannot be shown with the filters, page or dates in the address." in response.text


@pytest.mark.django_db
def test_a_nul_in_an_admin_filter_is_a_400(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:accounts_securityevent_changelist") + "?kind__exact=a%00b")
    assert response.status_code == 400


def test_every_registered_admin_and_its_inlines_follow_the_input_rules(rf, db, admin_user):
    from r2cc_portal.admin import InputSafeAdminMixin, InputSafeFormsMixin

    request = rf.get("/admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, InputSafeAdminMixin), model
        for inline in model_admin.get_inline_instances(request, None):
            assert isinstance(inline, InputSafeFormsMixin), (model, inline)
