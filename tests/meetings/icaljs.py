"""A second iCalendar reader for the tests: ical.js (Thunderbird, Nextcloud) run by Node.js.

`npm ci` at the top of the repository installs it (package.json). Without Node.js the tests that
use it are skipped, except in CI (`CI` set), where that is a failure.
"""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "ical_read.mjs"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js is required in CI to read the calendars with ical.js")
        pytest.skip("Node.js is not installed: ical.js cannot read the calendars")
    if not (ROOT / "node_modules" / "ical.js").is_dir():
        pytest.fail("ical.js is not installed: run `npm ci` at the top of the repository")
    return node


def run(jobs: list[dict]) -> list[dict]:
    completed = subprocess.run(  # noqa: S603 - our own script, input as JSON on stdin
        [_node(), str(SCRIPT)],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def _text(ics: bytes | str) -> str:
    return ics.decode("utf-8") if isinstance(ics, bytes) else ics


def utc(value: str) -> datetime.datetime:
    """ical.js's UTC time ("2026-07-04T14:00:00Z") as an aware datetime."""
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def read(*calendars: bytes | str) -> list[dict]:
    """Each calendar as ical.js reads it: method, VTIMEZONE ids, events with UTC start and end."""
    return run([{"ics": _text(ics)} for ics in calendars])


def local_to_utc(ics: bytes | str, tzid: str, locals_: list[datetime.datetime]) -> list[datetime.datetime]:
    """Local wall times of `tzid` in UTC, by the VTIMEZONE of `ics` only."""
    job = {"ics": _text(ics), "tzid": tzid, "locals": [t.strftime("%Y-%m-%dT%H:%M:%S") for t in locals_]}
    (result,) = run([job])
    return [utc(value) for value in result["utc"]]
