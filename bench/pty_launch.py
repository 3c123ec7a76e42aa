"""Launch ``irp tui`` in a pseudo-terminal, as a person does, and time what appears on screen.

The clock starts just before the process is spawned. ``first frame`` is the moment the terminal
receives the app's first painted text (its title bar); ``first rows`` the moment a text only the
data can produce (a startup's name from the data set) arrives. The process is then asked to quit
(``ctrl+q``) and, if it does not, killed: a launch never outlives its measurement.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time
from dataclasses import dataclass
from fcntl import ioctl

#: Printed by the app's first frame, whatever the database: the title bar's name.
FRAME_MARK = b"ir-pipeline"
TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Launch:
    first_frame: float
    first_rows: float


class LaunchFailed(RuntimeError):
    pass


def launch(
    command: list[str],
    env: dict[str, str],
    rows_mark: re.Pattern[bytes],
    *,
    size: tuple[int, int] = (40, 120),
) -> Launch:
    """Run ``command`` (``irp tui …``) on a new 120×40 pty; times from spawn to each mark."""
    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    env = {**env, "TERM": "xterm-256color", "COLUMNS": str(size[1]), "LINES": str(size[0])}
    start = time.perf_counter()
    child = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True
    )
    os.close(slave)
    seen = b""
    frame = rows = None
    try:
        while rows is None:
            left = TIMEOUT - (time.perf_counter() - start)
            if left <= 0:
                raise LaunchFailed(f"{' '.join(command)}: nothing like {rows_mark!r} within {TIMEOUT:.0f} s")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                raise LaunchFailed(f"{' '.join(command)} ended before showing its rows: {_tail(seen)}")
            now = time.perf_counter() - start
            seen += chunk
            if frame is None and FRAME_MARK in seen:
                frame = now
            if rows_mark.search(seen):
                rows = now
                frame = frame if frame is not None else now
    finally:
        _stop(child, master)
    assert frame is not None
    return Launch(frame, rows)


def _stop(child: subprocess.Popen[bytes], master: int) -> None:
    """Ask the app to quit (ctrl+q), reading what it writes meanwhile so it never blocks on a full
    terminal; kill its process group if it has not gone within 5 s."""
    try:
        os.write(master, b"\x11")
        until = time.perf_counter() + 5
        while child.poll() is None and time.perf_counter() < until:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready and not os.read(master, 1 << 16):
                break
        child.wait(timeout=max(0.0, until - time.perf_counter()))
    except (OSError, subprocess.TimeoutExpired):
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        os.close(master)


def _tail(seen: bytes) -> str:
    return seen[-300:].decode("utf-8", "replace")
