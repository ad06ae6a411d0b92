"""One running bot per data dir: two instances are the classic cause of duplicate notifications. And
nobody replaces the database under a process that has it open: every process using the data dir (the bot,
`newsbot chat` on it) holds a shared lock (`DataDirUse`) that `newsbot restore` must take alone."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class AlreadyRunning(RuntimeError):
    """Another newsbot holds the data dir's lock."""


class InstanceLock:
    """An exclusive, non-blocking `flock` on ``<data_dir>/newsbot.lock``; released when the process ends."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "newsbot.lock"
        self._fd: int | None = None

    def acquire(self) -> InstanceLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunning(
                f"another newsbot (pid {holder}) is already running with data dir {self.path.parent}; "
                "stop it first, or give this one another --data dir"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


class DataDirInUse(RuntimeError):
    """Some newsbot process (the bot, a chat) has the data dir's database open."""


class DataDirUse:
    """A `flock` on ``<data_dir>/newsbot.users.lock``: shared while a process uses the database
    (`shared()`), exclusive for one that must be alone with it (`exclusive()`, non-blocking)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "newsbot.users.lock"
        self._fd: int | None = None

    def shared(self) -> DataDirUse:
        return self._lock(fcntl.LOCK_SH)

    def exclusive(self) -> DataDirUse:
        """Raises DataDirInUse (naming the processes, where the system tells) when anyone holds it."""
        try:
            return self._lock(fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pids = ", ".join(map(str, lock_holders(self.path))) or "unknown"
            raise DataDirInUse(
                f"the data dir {self.path.parent} is in use by a running newsbot (pid {pids}: the bot, or "
                "newsbot chat on it); stop it first"
            ) from None

    def _lock(self, operation: int) -> DataDirUse:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, operation)
        except OSError:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def lock_holders(path: Path) -> list[int]:
    """The pids holding a flock on `path`, from Linux's /proc/locks (empty elsewhere)."""
    try:
        inode = os.stat(path).st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return []
    pids = set()
    for line in lines:
        fields = line.split()
        if len(fields) > 5 and fields[1] == "FLOCK" and fields[5].rsplit(":", 1)[-1] == str(inode):
            pids.add(int(fields[4]))
    return sorted(pids - {os.getpid()})
