#!/usr/bin/env python3
"""Open mailed invitations as a mail client would: the calendar part of each message, read by
ical.js (Thunderbird's and Nextcloud's iCalendar library) with the file's own VTIMEZONE.

    python3 scripts/read_invitation.py                 # every message under var/mail/
    python3 scripts/read_invitation.py var/mail/X.log  # files written by Django's file backend

Needs Node.js and `npm ci` (package.json); the standard library otherwise.
"""

import argparse
import email
import email.policy
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READER = ROOT / "scripts" / "ical_read.mjs"
# Django's file and console backends end each message with a line of 79 dashes.
SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def messages(paths: list[Path]):
    files = []
    for path in paths:
        files += sorted(path.glob("*.log"), key=lambda p: p.stat().st_mtime) if path.is_dir() else [path]
    for file in files:
        for number, raw in enumerate(file.read_bytes().split(SEPARATOR), start=1):
            if raw.strip():
                yield (
                    f"{file} #{number}",
                    email.message_from_bytes(raw.lstrip(b"\n"), policy=email.policy.default),
                )


def calendar_part(message):
    """The part a mail client shows as the invitation: text/calendar inside multipart/alternative
    (else any text/calendar part), and where it was found."""
    for part in message.walk():
        if part.get_content_type() == "multipart/alternative":
            for inner in part.iter_parts():
                if inner.get_content_type() == "text/calendar":
                    return inner, "inside multipart/alternative"
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part, "as a separate part"
    return None, ""


def _when(local: str, tzid: str | None, utc: str) -> str:
    local = local.replace("T", " ")[:16]
    utc = utc.replace("T", " ").replace("Z", "")[:16]
    return f"{local} {tzid or 'UTC'} = {utc} UTC"


def icaljs_installed() -> bool:
    """ical.js comes from package.json: install it on first use, as the test script does."""
    if (ROOT / "node_modules" / "ical.js").is_dir():
        return True
    npm = shutil.which("npm")
    if npm is None:
        print("ical.js is missing and npm is not installed: run `npm ci` first.", file=sys.stderr)
        return False
    print("Installing ical.js (npm ci) ...", file=sys.stderr)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=ROOT, check=True)  # noqa: S603
    return True


def main() -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quietly, when piped into `head`
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "var" / "mail"])
    args = parser.parse_args()
    node = shutil.which("node")
    if node is None:
        print("Node.js is needed to read the calendars with ical.js.", file=sys.stderr)
        return 2
    if not icaljs_installed():
        return 2
    found = []
    for name, message in messages(args.paths):
        part, where = calendar_part(message)
        if part is not None:
            found.append((name, message, part, where))
    if not found:
        print("No message with a calendar in " + ", ".join(map(str, args.paths)))
        return 1
    jobs = json.dumps([{"ics": part.get_content()} for _, _, part, _ in found])
    done = subprocess.run([node, str(READER)], input=jobs, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return 2
    for (name, message, part, where), read in zip(found, json.loads(done.stdout), strict=True):
        print(name)
        print(f"  Subject: {message['Subject']}")
        print(f"  To: {message['To']}")
        print(f"  Content-Type: text/calendar; method={part.get_param('method')} ({where})")
        for event in read["events"]:
            print(
                f"  METHOD:{read['method']}  UID:{event['uid']}  SEQUENCE:{event['sequence']}  {event['status']}"
            )
            print(f"  Summary: {event['summary']}")
            print(f"  Starts: {_when(event['start_local'], event['tzid'], event['start'])}")
            print(f"  Ends:   {_when(event['end_local'], event['tzid'], event['end'])}")
            for attendee in event["attendees"]:
                print(
                    f"  Attendee: {attendee['cn']} <{attendee['address']}>"
                    f" PARTSTAT={attendee['partstat']} RSVP={attendee['rsvp']}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
