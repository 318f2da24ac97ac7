"""Run ``wordvec`` in a child process: signalled mid-run, or with stderr on a terminal."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from pathlib import Path


def read_until(stream, pattern: str, timeout: float) -> list[str]:
    """Read lines from ``stream`` in a thread until one matches; return all lines read."""
    lines, found = [], threading.Event()

    def reader() -> None:
        for line in stream:
            lines.append(line)
            if re.search(pattern, line):
                found.set()
                return

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    assert found.wait(timeout), "".join(lines)
    t.join(timeout)
    return lines


def signal_cli_after(args: list[str], cwd: Path, sig: signal.Signals,
                     pattern: str = r"epoch 1: loss", timeout: float = 120) -> tuple[int, str]:
    """``wordvec ARGS`` in ``cwd``, sent ``sig`` after a stderr line matching ``pattern``.

    Returns its exit status and everything it wrote on stderr.
    """
    proc = subprocess.Popen([sys.executable, "-m", "wordvec.cli", *args],
                            stderr=subprocess.PIPE, text=True, cwd=cwd)
    try:
        head = read_until(proc.stderr, pattern, timeout)
        proc.send_signal(sig)
        rest = proc.stderr.read()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:  # pragma: no cover - only when the test fails
            proc.kill()
    return proc.returncode, "".join(head) + rest


def drain_terminal(primary: int, chunks: list) -> None:
    """Append what a pseudo-terminal shows (bytes) to ``chunks`` until the program's
    side is closed and everything is read."""
    import os

    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # EIO: the terminal is closed and drained
            return
        if not data:
            return
        chunks.append(data)


def cli_on_a_terminal(args: list, cwd: Path | None = None,
                      timeout: float = 120) -> tuple[int, str]:
    """``wordvec ARGS`` with stderr on a pseudo-terminal, as in a shell (so the progress
    bar is drawn); returns its exit status and everything shown on that terminal."""
    import os
    import pty

    primary, secondary = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "wordvec.cli", *map(str, args)],
                                stderr=secondary, stdout=subprocess.PIPE, cwd=cwd)
        os.close(secondary)
        secondary = None
        chunks: list = []
        drain_terminal(primary, chunks)
        proc.wait(timeout=timeout)
    finally:
        if secondary is not None:
            os.close(secondary)
        os.close(primary)
    return proc.returncode, b"".join(chunks).decode()
