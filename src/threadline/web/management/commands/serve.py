"""`threadline serve`: the web server and the background worker, started and stopped together.

One command for the demo and local work, so nobody has to remember a second terminal
for `db_worker` (without it, notices and timescale tasks would queue and never run).
Production runs gunicorn and `db_worker` under a process supervisor instead.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError

# How long the worker gets to finish the task it is running before it is killed.
STOP_TIMEOUT_SECONDS = 10


class Stop(Exception):
    """Raised by the signal handler so that SIGTERM unwinds like Ctrl-C."""


def _stop(signum, frame):
    raise Stop(signal.strsignal(signum))


class Command(BaseCommand):
    help = "Run the web server and the background task worker until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address:port to listen on")

    def handle(self, *args, addr, **options):
        manage = [sys.executable, "-m", "threadline.manage"]
        commands = {
            "web server": [*manage, "runserver", addr],
            "task worker": [*manage, "db_worker"],
        }
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _stop)

        children = {}
        try:
            for name, command in commands.items():
                # Each child gets its own process group, so that one Ctrl-C reaches only
                # us (no duplicate signals) and stopping a group also stops the
                # autoreloader's grandchild process. No stdin: only we read the terminal.
                children[name] = subprocess.Popen(  # noqa: S603 - our own fixed argv
                    command, stdin=subprocess.DEVNULL, process_group=0
                )
            host = addr if ":" in addr else f"127.0.0.1:{addr}"
            self.stdout.write(
                self.style.SUCCESS(f"\nOpen http://{host}/ in your browser.")
                + " Press Ctrl-C to stop the web server and the task worker.\n"
            )
            name, code = self._wait_for_first_exit(children)
            raise CommandError(f"The {name} stopped (exit code {code}), so everything stopped.")
        except (KeyboardInterrupt, Stop):
            self.stdout.write("\nStopping…")
        finally:
            # Don't let a second Ctrl-C interrupt the clean-up and leave orphans.
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signal.SIG_IGN)
            self._stop_all(children.values())

    @staticmethod
    def _wait_for_first_exit(children):
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    return name, child.returncode
            time.sleep(0.5)

    @staticmethod
    def _stop_all(children):
        def signal_group(child, signum):
            with contextlib.suppress(ProcessLookupError):  # the group has already gone
                os.killpg(child.pid, signum)

        for child in children:
            if child.poll() is None:  # never signal a reaped child's id: it may be reused
                signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                signal_group(child, signal.SIGKILL)
                child.wait()
