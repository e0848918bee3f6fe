"""Locust users for benchmarks/load.py: signed-in SEA staff and facilitators over the page mix.

Not meant to be run by hand: load.py writes the plan (accounts, base URLs, the ids each account
may see) to the file named by LOAD_PLAN and reads every request's timing back from LOAD_SAMPLES.

- `PortalUser` opens every kind of page users open (dashboards, project pages, lists with filters
  and search, the activity form, the directory, meetings, communications, API lists) and, now and
  then, logs an activity and reads it straight back on its detail page and in the filtered list;
  a read that does not show the user's own write is counted as stale.
- `FloorUser` only opens a minimal signed-in page: the server's floor on the same machine.

The servers are addressed over plain HTTP on loopback as if behind a TLS-terminating balancer:
every request says `X-Forwarded-Proto: https`, and the cookies production marks Secure are sent.
"""

import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from pathlib import Path

import gevent
from locust import HttpUser, constant, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text()) if os.environ.get("LOAD_PLAN") else {}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SAMPLES: list = []
_lock = threading.Lock()
_next_account = iter(range(10**9))
_signed_in = []


@events.request.add_listener
def _record(request_type, name, response_time, exception=None, **kwargs):
    with _lock:
        started = time.time() - response_time / 1000
        SAMPLES.append(
            (
                request_type,
                started,
                name,
                round(response_time, 2),
                None if exception is None else str(exception),
            )
        )


@events.quitting.add_listener
def _dump(**kwargs):
    path = os.environ.get("LOAD_SAMPLES")
    if path:
        with open(path, "w") as out:
            json.dump(SAMPLES, out)


class SignedIn(HttpUser):
    abstract = True
    wait_time = constant(float(PLAN.get("think_seconds", 0)))

    def on_start(self):
        number = next(_next_account)
        accounts = PLAN["accounts"]
        self.account = accounts[number % len(accounts)]
        hosts = PLAN["base_urls"]
        self.client.base_url = hosts[number % len(hosts)]
        self.origin = "https://" + self.client.base_url.split("://", 1)[1].rstrip("/")
        self._send_secure_cookies()
        self.client.headers.update({"X-Forwarded-Proto": "https"})
        self.sign_in()
        # The measured window starts once every user is signed in; then the run stops itself.
        _signed_in.append(self.account["username"])
        if len(_signed_in) == int(PLAN.get("users", 0)):
            with _lock:
                SAMPLES.append(("MARK", time.time(), "(all signed in)", 0, None))
            stop_after = float(PLAN["warmup_seconds"]) + float(PLAN["measure_seconds"])
            gevent.spawn_later(stop_after, self.environment.runner.quit)

    def _send_secure_cookies(self):
        """Send the cookies production marks Secure over the loopback HTTP that stands for TLS.

        requests copies the jar (with its default policy) for every request, so the cookies
        themselves lose the flag as soon as they arrive.
        """
        request = self.client.request

        def request_keeping_cookies(*args, **kwargs):
            response = request(*args, **kwargs)
            for cookie in self.client.cookies:
                cookie.secure = False
            return response

        self.client.request = request_keeping_cookies

    def sign_in(self):
        page = self.client.get("/accounts/login/", name="(sign-in form)")
        token = CSRF.search(page.text)
        response = self.client.post(
            "/accounts/login/",
            data={
                "username": self.account["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers=self._post_headers("/accounts/login/"),
            name="(sign-in)",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.account['username']} could not sign in: {response.status_code}")

    def _post_headers(self, path):
        return {"Origin": self.origin, "Referer": self.origin + path}

    def open(self, name, path, *, expect=None):
        """GET a page; anything but a 200 that is still signed in (and holds `expect`) fails."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif "/accounts/login/" in response.url:
                response.failure("signed out")
            elif expect is not None and expect not in response.text:
                response.failure("missing content")
            else:
                response.success()
            return response


# How often each group of pages comes round. All users draw from one shuffled cycle, so a short
# run covers every group in these proportions instead of leaving some to chance.
MIX = {
    "dashboards": 4, "project_pages": 4, "network": 1, "lists": 4, "activity_form": 1, "directory": 3,
    "meetings": 2, "communications": 2, "api": 3, "write_then_read": 2,
}  # fmt: skip
_round = [name for name, weight in MIX.items() for _ in range(weight)]
random.Random(2024).shuffle(_round)  # noqa: S311 - an order of pages, not a secret
_next_group = itertools.cycle(_round)


class PortalUser(SignedIn):
    @task
    def next_group(self):
        getattr(self, next(_next_group))()

    def pick(self, key):
        values = self.account["ids"].get(key) or []
        return random.choice(values) if values else None  # noqa: S311 - a page to open, not a secret

    def maybe(self, name, key, template):
        value = self.pick(key)
        if value is not None:
            self.open(name, template.format(value))

    def dashboards(self):
        self.open("home (dashboard)", "/")
        if self.account.get("state"):
            self.open("state dashboard", f"/projects/states/{self.account['state']}/")

    def project_pages(self):
        self.maybe("project page", "projects", "/projects/{}/")
        self.maybe("indicator page", "indicators", "/projects/indicators/{}/")

    def network(self):
        self.open("network", "/projects/network/")

    def lists(self):
        self.open("project list", "/projects/")
        self.open("project list (search)", f"/projects/?q={random.choice(PLAN['search_terms'])}")  # noqa: S311
        self.open("project list (status filter)", "/projects/?status=active&sort=-start_date")
        self.open("activity list", "/projects/activities/")
        term = random.choice(PLAN["search_terms"])  # noqa: S311 - a search to type, not a secret
        self.open("activity list (search)", f"/projects/activities/?q={term}")
        self.open("activity list (filters)", "/projects/activities/?type=coaching&date_from=2025-01-01")
        self.maybe("activity list (one project)", "projects", "/projects/activities/?project={}")
        self.maybe("activity detail", "activities", "/projects/activities/{}/")

    def activity_form(self):
        self.maybe("log activity (form)", "projects", "/projects/activities/new/?project={}")
        term = random.choice(PLAN["search_terms"])[:4]  # noqa: S311 - a search to type, not a secret
        self.open("project picker (type-ahead)", f"/projects/pick/projects/?q={term}")

    def directory(self):
        self.open("stakeholder directory", "/directory/people/")
        term = random.choice(PLAN["search_terms"])  # noqa: S311 - a search to type, not a secret
        self.open("stakeholder directory (search)", f"/directory/people/?q={term}")
        self.maybe("stakeholder page", "stakeholders", "/directory/people/{}/")
        self.open("district directory", "/directory/districts/")

    def meetings(self):
        self.open("bodies", "/meetings/")
        self.maybe("body page", "bodies", "/meetings/bodies/{}/")
        self.maybe("meeting page", "meetings", "/meetings/{}/")
        self.open("action items", "/meetings/action-items/")

    def communications(self):
        self.open("communications", "/communications/")
        self.maybe("communication page", "communications", "/communications/{}/")
        self.maybe("delivery report", "communications", "/communications/{}/report/")
        self.open("cadence", "/communications/cadence/")

    def api(self):
        self.open("API projects", "/api/v1/projects/?status=active")
        self.maybe(
            "API activities (one project)", "projects", "/api/v1/activities/?project={}&ordering=-date"
        )
        self.open("API stakeholders", "/api/v1/stakeholders/?page_size=100")
        term = random.choice(PLAN["search_terms"])  # noqa: S311 - a search to type, not a secret
        self.open("API activities (search)", f"/api/v1/activities/?q={term}")

    def write_then_read(self):
        """Log an activity, then read it back at once: the detail page and the filtered list."""
        project = self.pick("projects")
        if project is None:
            return
        form = self.open("log activity (form)", f"/projects/activities/new/?project={project}")
        token = CSRF.search(form.text or "")
        marker = f"Load check {uuid.uuid4().hex[:12]}"
        response = self.client.post(
            "/projects/activities/new/",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "project": project,
                "date": time.strftime("%Y-%m-%d"),
                "type": PLAN["activity"]["type"],
                "mode": PLAN["activity"]["mode"],
                "hours": "1.0",
                "summary": marker,
                "next_steps": "",
                "conditions": PLAN["activity"]["conditions"],
            },
            headers=self._post_headers("/projects/activities/new/"),
            name="log activity (save)",
            allow_redirects=False,
        )
        if response.status_code != 302:
            events.request.fire(
                request_type="CHECK", name="log activity (saved)", response_time=0, response_length=0,
                exception=RuntimeError(f"save answered {response.status_code}"),
            )  # fmt: skip
            return
        detail = response.headers["Location"]
        for name, path in (
            ("own write: detail page", detail),
            ("own write: activity list", f"/projects/activities/?project={project}&q={marker.split()[-1]}"),
        ):
            page = self.open(name + " (read)", path)
            stale = page.status_code != 200 or marker not in (page.text or "")
            events.request.fire(
                request_type="CHECK", name="own write read back" if not stale else "STALE own read",
                response_time=0, response_length=0,
                exception=RuntimeError(f"{name} does not show the user's own write") if stale else None,
            )  # fmt: skip


class FloorUser(SignedIn):
    @task
    def minimal_page(self):
        self.open("floor: password change form", "/accounts/password/change/")
