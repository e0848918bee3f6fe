"""Load benchmark: signed-in SEA staff and facilitators over the page mix, against running servers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2cc_scale \\
        .venv/bin/python benchmarks/load.py --base-url http://127.0.0.1:8000 [--base-url ...] \\
        [--users 20] [--seconds 60] [--warmup 10] [--floor-seconds 20] [--sea-share 0.5] \\
        [--server-pid PID ...] [--json report.json]

The servers (gunicorn with production settings, say) must already run on the database that
DATABASE_URL names: this script signs its accounts in there. It

1. creates (or resets) the benchmark accounts `load.sea.N` (SEA staff of the states with the most
   projects) and `load.facilitator.N`, and writes a plan of what each may see (projects,
   activities, indicators, people, bodies, meetings, communications);
2. runs locust headless in a second process (benchmarks/locustfile.py, `PortalUser`) with
   `--users` users spread over the base URLs, bounded by `--warmup + --seconds`, each signing in
   and then going through the page mix without think time, logging an activity now and then and
   reading it straight back (detail page and filtered list);
3. runs `FloorUser` (a minimal signed-in page) for `--floor-seconds` on the same servers;
4. prints throughput, p50/p95/p99 and errors of the mix (after the warm-up), the floor's
   throughput, every page's figures, the own-write checks (stale reads must be 0), the server
   CPU per request when `--server-pid` names the servers' master processes, and the load average.

Exit status 1 when a request failed or an own write was not read back.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
SEARCH_TERMS = ["literacy", "teacher", "data", "district", "educator", "family"]
SAMPLE_IDS = 60
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "r2cc_portal.settings.development")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()


# --- The plan: accounts and what each may see --------------------------------------------------


def _ids(queryset) -> list[int]:
    return list(queryset.order_by("-pk").values_list("pk", flat=True)[:SAMPLE_IDS])


def _account(username: str, role, hashed_password: str, sea=None):
    from django.contrib.auth.models import Group

    from accounts.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"is_active": True})
    user.sea, user.is_active, user.password = sea, True, hashed_password
    user.save()
    user.groups.set([Group.objects.get_or_create(name=role.value)[0]])
    return user


def _sees(user) -> dict[str, list[int]]:
    from communications.models import Communication
    from communications.services import may_compose
    from meetings.models import Meeting
    from projects.models import Activity, Indicator, Project
    from stakeholders.models import AdvisoryBody, Stakeholder

    return {
        "projects": _ids(Project.objects.visible_to(user)),
        "activities": _ids(Activity.objects.visible_to(user)),
        "indicators": _ids(Indicator.objects.visible_to(user)),
        "stakeholders": _ids(Stakeholder.objects.visible_to(user)),
        "bodies": _ids(AdvisoryBody.objects.visible_to(user)),
        "meetings": _ids(Meeting.objects.visible_to(user)),
        "communications": _ids(Communication.objects.visible_to(user)) if may_compose(user) else [],
    }


def plan_prepare(
    *, base_urls: list[str], users: int, sea_share: float, password: str, think: float = 0.0
) -> dict:
    """Create the benchmark accounts and return the plan the locust users follow."""
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from accounts.models import Role
    from projects.models import Activity, Condition
    from stakeholders.models import SEA

    seas = list(SEA.objects.annotate(n=Count("projects")).filter(n__gt=0).order_by("-n", "state_code")[:5])
    if not seas:
        raise SystemExit("The database has no SEA with projects: load seed_demo or seed_scale first.")
    sea_users = round(users * sea_share) if users > 1 else 0
    hashed = make_password(password)  # once: production's hasher is slow by design
    accounts = []
    for n in range(sea_users):
        sea = seas[n % len(seas)]
        user = _account(f"load.sea.{n + 1}", Role.SEA_STAFF, hashed, sea=sea)
        accounts.append(
            {"username": user.username, "role": "SEA staff", "state": sea.state_code, "ids": _sees(user)}
        )
    for n in range(max(users - sea_users, 1)):
        user = _account(f"load.facilitator.{n + 1}", Role.FACILITATOR, hashed)
        accounts.append(
            {
                "username": user.username,
                "role": "facilitator",
                "state": seas[0].state_code,
                "ids": _sees(user),
            }
        )
    # Sign-ins alternate roles, so any number of users mixes them.
    ordered = [a for pair in zip(accounts[:sea_users], accounts[sea_users:], strict=False) for a in pair]
    ordered += [a for a in accounts if a not in ordered]
    return {
        "base_urls": [url.rstrip("/") for url in base_urls],
        "password": password,
        "think_seconds": think,
        "search_terms": SEARCH_TERMS,
        "accounts": ordered,
        "activity": {
            "type": Activity.Type.COACHING.value,
            "mode": Activity.Mode.VIRTUAL.value,
            "conditions": list(Condition.objects.filter(number__in=(1, 3)).values_list("pk", flat=True)),
        },
    }


# --- Running locust ----------------------------------------------------------------------------


def locust_run(*, plan: dict, user_class: str, users: int, warmup: float, seconds: float, log: Path) -> list:
    """Run locust headless in its own process; return every request's sample.

    The users stop themselves `warmup + seconds` after the last one signed in; the run is bounded
    in any case by a generous allowance for the sign-ins.
    """
    workdir = Path(tempfile.mkdtemp(prefix="load-"))
    plan_path, samples_path = workdir / "plan.json", workdir / "samples.json"
    plan_path.write_text(
        json.dumps({**plan, "users": users, "warmup_seconds": warmup, "measure_seconds": seconds})
    )
    bound = 60 + users * 3 + warmup + seconds
    locust = Path(sys.executable).with_name("locust")
    env = {**os.environ, "LOAD_PLAN": str(plan_path), "LOAD_SAMPLES": str(samples_path)}
    args = [
        str(locust), "-f", str(LOCUSTFILE), "--headless", "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{int(bound)}s", "--stop-timeout", "10", "--only-summary", "--loglevel", "WARNING",
        "--exit-code-on-error", "0", "--host", plan["base_urls"][0], user_class,
    ]  # fmt: skip
    with open(log, "ab") as out:
        subprocess.run(  # noqa: S603 - fixed arguments
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=bound + 60, check=True
        )
    return json.loads(samples_path.read_text())


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summarize(samples: list, *, warmup: float, seconds: float) -> dict:
    """Figures of the requests started in the measured window: from `warmup` seconds after the
    last user signed in, for `seconds`."""
    requests = [s for s in samples if s[0] not in ("CHECK", "MARK")]
    checks = [s for s in samples if s[0] == "CHECK"]
    marks = [s[1] for s in samples if s[0] == "MARK"]
    if not marks:
        raise RuntimeError("Not every user could sign in; see the locust log.")
    start = marks[0] + warmup
    end = start + seconds
    window = [s for s in requests if start <= s[1] < end and not s[2].startswith("(sign-in")]
    duration = seconds
    times = [s[3] for s in window]
    pages: dict[str, list] = {}
    for sample in window:
        pages.setdefault(sample[2], []).append(sample)
    errors = [s for s in requests if s[4]]
    return {
        "seconds": round(duration, 1),
        "requests": len(window),
        "throughput_rps": round(len(window) / duration, 1),
        "p50_ms": round(percentile(times, 50)),
        "p95_ms": round(percentile(times, 95)),
        "p99_ms": round(percentile(times, 99)),
        "errors": len(errors),
        "error_examples": sorted({f"{s[2]}: {s[4]}" for s in errors})[:10],
        "own_writes_read_back": sum(1 for s in checks if s[2] == "own write read back"),
        "stale_own_reads": sum(1 for s in checks if s[2] == "STALE own read"),
        "failed_saves": sum(1 for s in checks if s[2] == "log activity (saved)"),
        "pages": {
            name: {
                "n": len(rows),
                "p50_ms": round(percentile([r[3] for r in rows], 50)),
                "p95_ms": round(percentile([r[3] for r in rows], 95)),
                "errors": sum(1 for r in rows if r[4]),
            }
            for name, rows in sorted(pages.items())
        },
        "window": (start, end),
    }


# --- CPU of the servers ------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, float] | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    return int(fields[1]), sum(int(v) for v in fields[11:15]) / CLOCK_TICKS


def tree_cpu_seconds(roots: list[int]) -> float:
    """CPU seconds used so far by the processes `roots` and all their descendants (with reaped ones)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            stats[int(entry.name)] = stat
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [pid for pid in roots if pid in stats]
    while todo:
        pid = todo.pop()
        total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total


class CpuWatch(threading.Thread):
    """Samples the CPU seconds of groups of process trees twice a second, to read any window."""

    def __init__(self, groups: dict):
        super().__init__(daemon=True)
        self.groups = groups
        self.samples: list[tuple[float, dict[str, float]]] = []
        self.stopping = threading.Event()

    def sample(self):
        self.samples.append(
            (time.time(), {name: tree_cpu_seconds(pids()) for name, pids in self.groups.items()})
        )

    def run(self):
        self.sample()
        while not self.stopping.wait(0.5):
            self.sample()

    def stop(self):
        self.stopping.set()
        self.join(5)
        self.sample()

    def used(self, name: str, start: float, end: float) -> float:
        def at(moment):
            return min(self.samples, key=lambda s: abs(s[0] - moment))[1][name]

        return max(at(end) - at(start), 0.0)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- The whole benchmark ------------------------------------------------------------------------


def load_benchmark(
    *,
    base_urls: list[str],
    users: int = 20,
    seconds: float = 60,
    warmup: float = 10,
    floor_seconds: float = 20,
    sea_share: float = 0.5,
    password: str | None = None,
    server_pids: list[int] | None = None,
    cpu_groups: dict | None = None,
    log: Path | None = None,
    label: str = "load",
) -> dict:
    import secrets

    password = password or "load-" + secrets.token_urlsafe(12)
    plan = plan_prepare(base_urls=base_urls, users=users, sea_share=sea_share, password=password)
    log = log or Path(tempfile.mkdtemp(prefix="load-log-")) / "locust.log"
    groups = dict(cpu_groups or {})
    if server_pids:
        groups.setdefault("web", lambda: server_pids)
    watch = CpuWatch(groups)
    watch.start()
    try:
        samples = locust_run(
            plan=plan, user_class="PortalUser", users=users, warmup=warmup, seconds=seconds, log=log
        )
    finally:
        watch.stop()
    load_after = load_average()
    mix = summarize(samples, warmup=warmup, seconds=seconds)
    floor = None
    if floor_seconds:
        floor_samples = locust_run(
            plan=plan, user_class="FloorUser", users=users, warmup=3, seconds=floor_seconds, log=log
        )
        floor = summarize(floor_samples, warmup=3, seconds=floor_seconds)
    report = {
        "label": label,
        "base_urls": plan["base_urls"],
        "users": len(plan["accounts"][:users]),
        "roles": {
            role: sum(1 for a in plan["accounts"][:users] if a["role"] == role)
            for role in ("SEA staff", "facilitator")
        },
        "mix": {k: v for k, v in mix.items() if k != "window"},
        "floor": None
        if floor is None
        else {k: floor[k] for k in ("throughput_rps", "p50_ms", "p95_ms", "errors", "requests")},
        "load_average_after": load_after,
        "log": str(log),
    }
    if groups:
        # CPU used by each group of processes over the measured window, per request served in it.
        start, end = mix["window"]
        report["cpu_ms_per_request"] = {
            name: round(watch.used(name, start, end) * 1000 / max(mix["requests"], 1), 1) for name in groups
        }
    report["summary"] = summary_line(report)
    return report


def summary_line(report: dict) -> str:
    mix, floor = report["mix"], report["floor"]
    line = (
        f"{report['label']}: {report['users']} users ({report['roles']['SEA staff']} SEA staff, "
        f"{report['roles']['facilitator']} facilitators) over {len(report['base_urls'])} server(s), "
        f"{mix['seconds']} s: {mix['throughput_rps']} req/s, p50 {mix['p50_ms']} ms, p95 {mix['p95_ms']} ms, "
        f"p99 {mix['p99_ms']} ms, errors {mix['errors']}/{mix['requests']}"
    )
    if floor:
        line += f"; floor {floor['throughput_rps']} req/s (p95 {floor['p95_ms']} ms)"
    line += f"; own writes read back {mix['own_writes_read_back']}, stale {mix['stale_own_reads']}"
    if report.get("cpu_ms_per_request"):
        cpu = ", ".join(f"{name} {ms} ms" for name, ms in report["cpu_ms_per_request"].items())
        line += f"; CPU per request: {cpu}"
    return line + f"; load average {report['load_average_after']}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--base-url", action="append", required=True, help="a server's base URL; repeat for several"
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="measured seconds of the page mix")
    parser.add_argument(
        "--warmup", type=float, default=10, help="seconds after sign-in left out of the figures"
    )
    parser.add_argument("--floor-seconds", type=float, default=20, help="0 to skip the floor")
    parser.add_argument("--sea-share", type=float, default=0.5, help="share of users who are SEA staff")
    parser.add_argument(
        "--server-pid", type=int, action="append", default=[], help="a server's master process"
    )
    parser.add_argument("--json", type=Path, help="write the whole report here")
    args = parser.parse_args()
    django_setup()
    report = load_benchmark(
        base_urls=args.base_url,
        users=args.users,
        seconds=args.seconds,
        warmup=args.warmup,
        floor_seconds=args.floor_seconds,
        sea_share=args.sea_share,
        server_pids=args.server_pid or None,
    )
    print(json.dumps({k: v for k, v in report.items() if k != "summary"}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    print(report["summary"])
    failed = (
        report["mix"]["errors"] or report["mix"]["stale_own_reads"] or (report["floor"] or {}).get("errors")
    )
    print("FAILED" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
