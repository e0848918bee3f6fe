"""Local stand-ins for the mail server, Redis and Celery processes, used by the integration
tests, the fault tests (benchmarks/comms_fault.py, benchmarks/comms_frozen.py) and the
benchmark (benchmarks/comms_throughput.py).

Nothing here runs in the portal itself. `aiosmtpd` comes from requirements-dev.txt.

    python -m communications.devtools sink --port 8025 [--delay 0.03] [--journal accepted.jsonl]
    # a counting SMTP sink; stats on Ctrl-C
"""

import argparse
import asyncio
import collections
import contextlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)
ROOT = Path(__file__).resolve().parent.parent


def free_port(start: int) -> int:
    """The first free TCP port from `start` on (tests and scripts keep off shared ports)."""
    for port in range(start, start + 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port from {start}")


class SinkHandler:
    """Counts every accepted message by Message-ID; optionally keeps the raw messages.

    Like a real MTA (Postfix queues a message once the client's final "." has arrived), a
    message counts as accepted the moment its DATA is complete, even when the client vanishes
    before it reads the reply. `delay` is the time the server takes to answer after that.
    `journal`, a path, gets one JSON line per accepted message: its Message-ID and the
    CLOCK_MONOTONIC time (shared by every process of the machine) its DATA completed.
    """

    def __init__(self, *, delay: float = 0.0, keep: bool = False, journal: str | None = None):
        self.delay = delay
        self.keep = keep
        self.lock = threading.Lock()
        self.counts: collections.Counter = collections.Counter()
        self.messages: list[bytes] = []
        self.first_seen: dict[str, float] = {}
        self.accepted = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.journal = open(journal, "a", buffering=1) if journal else None  # noqa: SIM115 - kept open

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's hook name
        now = time.monotonic()
        content = envelope.original_content or envelope.content
        content = content if isinstance(content, bytes) else content.encode()
        match = MESSAGE_ID.search(content)
        message_id = match.group(1).decode() if match else "(none)"
        with self.lock:
            self.counts[message_id] += 1
            self.first_seen.setdefault(message_id, now)
            self.accepted += 1
            self.first_at = self.first_at or now
            self.last_at = now
            if self.keep:
                self.messages.append(content)
            if self.journal is not None:
                self.journal.write(json.dumps({"at": now, "message_id": message_id}) + "\n")
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def stats(self) -> dict:
        with self.lock:
            return {
                "accepted": self.accepted,
                "distinct": len(self.counts),
                "duplicates": sum(c - 1 for c in self.counts.values() if c > 1),
            }


class SmtpSink:
    """An aiosmtpd server on 127.0.0.1 in a background thread."""

    def __init__(
        self, *, port: int | None = None, delay: float = 0.0, keep: bool = False, journal: str | None = None
    ):
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.port = port or free_port(8125)
        self.handler = SinkHandler(delay=delay, keep=keep, journal=journal)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


class SinkProcess:
    """The SMTP sink in a process of its own (`python -m communications.devtools sink`), as a
    real MTA is: killing or freezing a worker cannot take it down, and what it accepted is read
    from its journal (JSON lines, see SinkHandler)."""

    def __init__(self, *, journal: Path, delay: float = 0.0, port: int | None = None):
        self.journal = Path(journal)
        self.delay = delay
        self.port = port or free_port(8125)
        self.process: subprocess.Popen | None = None

    def start(self):
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        self.journal.write_text("")
        args = [sys.executable, "-m", "communications.devtools", "sink", "--port", str(self.port)]
        args += ["--delay", str(self.delay), "--journal", str(self.journal)]
        self.process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # noqa: S603
        line = self.process.stdout.readline()
        if '"ready": true' not in line:
            raise RuntimeError(f"SMTP sink did not start: {line!r}")
        return self

    def records(self) -> list[dict]:
        """Every accepted message so far: {"at": monotonic seconds, "message_id": ...}."""
        lines = self.journal.read_text().splitlines()
        return [json.loads(line) for line in lines if line.endswith("}")]

    def accepted(self) -> int:
        with open(self.journal, "rb") as journal:
            return sum(1 for _ in journal)

    def stop(self) -> dict:
        if self.process is None or self.process.poll() is not None:
            return {}
        self.process.terminate()
        out, _ = self.process.communicate(timeout=30)
        return json.loads(out.strip().splitlines()[-1])

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


class RedisProcess:
    """A private redis-server (never the shared one on 6379), restartable on the same port."""

    def __init__(self, *, port: int | None = None):
        self.port = port or free_port(6390)
        self.process: subprocess.Popen | None = None

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self):
        self.stop()
        self.start()

    def crash(self) -> float:
        """SIGKILL redis-server (no shutdown, no goodbye to clients); returns the time.monotonic()
        at which the signal was sent."""
        sent_at = time.monotonic()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        return sent_at

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


class CeleryProcess:
    """`celery -A r2cc_portal worker|beat` in its own process group, so it can be SIGKILLed whole."""

    def __init__(self, kind: str, *, env: dict, log: Path, extra: list[str] | None = None):
        self.kind = kind
        self.env = env
        self.log = log
        self.extra = extra or []
        self.process: subprocess.Popen | None = None

    def start(self):
        celery = str(Path(sys.executable).with_name("celery"))
        args = [celery, "-A", "r2cc_portal", self.kind, "--loglevel", "WARNING", *self.extra]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
                args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def kill(self, sig=signal.SIGKILL) -> float | None:
        """Send `sig` to the whole process group (the main process and its pool); returns the
        time.monotonic() at which the signal was sent."""
        if self.process and self.process.poll() is None:
            sent_at = time.monotonic()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            if sig in (signal.SIGKILL, signal.SIGTERM):
                self.process.wait()
            return sent_at
        return None

    def freeze(self) -> float | None:
        """SIGSTOP the whole worker, as a GC pause or a VM freeze would."""
        return self.kill(signal.SIGSTOP)

    def thaw(self) -> float | None:
        return self.kill(signal.SIGCONT)

    def stop(self):
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
            except ProcessLookupError:
                pass


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sink = sub.add_parser("sink", help="run a counting SMTP sink until SIGTERM/SIGINT, then print stats")
    sink.add_argument("--port", type=int, default=8025)
    sink.add_argument("--delay", type=float, default=0.0, help="seconds before answering the end of DATA")
    sink.add_argument("--journal", default=None, help="append one JSON line per accepted message here")
    args = parser.parse_args(argv)
    server = SmtpSink(port=args.port, delay=args.delay, journal=args.journal)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with server:
        print(json.dumps({"ready": True, "port": server.port}), flush=True)
        while not stop.wait(0.5):
            pass
    stats = server.handler.stats()
    if server.handler.first_at is not None:
        stats["first_to_last_seconds"] = round(server.handler.last_at - server.handler.first_at, 3)
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    main()
