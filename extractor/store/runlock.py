"""One writer per run directory: an exclusive lock held for the life of a run.

``RunLock(run_dir)`` takes ``fcntl.flock(LOCK_EX | LOCK_NB)`` on ``RUN_DIR/run.lock`` and writes who holds
it (pid, host, start time) into the file. A second run on the same directory fails at once with
:class:`RunLocked`, whose message names the holder. The kernel drops the lock when the holder's process
ends, however it ends (``kill -9`` included), so a stale lock file never blocks a resume: the file is
only a label, the lock is the truth. ``export`` and ``status`` do not take it (they only read the ledger
and write outputs through unique temporary files and an atomic rename).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from ..errors import StoreError

LOCK_NAME = "run.lock"


class RunLocked(StoreError):
    """Another process holds the run directory."""

    def __init__(self, message: str, *, holder: dict[str, object]) -> None:
        super().__init__(message)
        self.holder = holder


class RunLock:
    def __init__(self, run_dir: str | Path) -> None:
        self.path = Path(run_dir) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise RunLocked(_refusal(self.path.parent, holder), holder=holder) from None
        except BaseException:
            os.close(fd)
            raise
        me = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode() + b"\n", 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _read_holder(fd: int) -> dict[str, object]:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _refusal(run_dir: Path, holder: dict[str, object]) -> str:
    who = (
        f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, started {holder.get('started', '?')}"
        if holder
        else "a process that has not written its name yet"
    )
    return f"{run_dir} is in use by another run ({who}); wait for it to finish or stop it, then resume"
