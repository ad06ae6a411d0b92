"""One running bot per data dir: two instances are the classic cause of duplicate notifications. And
nobody replaces the database under a process that has it open: every process using the data dir (the bot,
`newsbot chat` on it) holds a shared lock (`DataDirUse`) that `newsbot restore` must take alone."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class AlreadyRunning(RuntimeError):
    """Another newsbot holds the data dir's lock."""


class _FileLock:
    """A `flock` on a file of the data dir, held until `release()` (or the process ends)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def _lock(self, operation: int) -> int:
        """Open the file and take the lock (`operation`: LOCK_SH/LOCK_EX, maybe LOCK_NB); the fd."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, operation)
        except OSError:
            os.close(fd)
            raise
        self._fd = fd
        return fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __exit__(self, *exc: object) -> None:
        self.release()


class InstanceLock(_FileLock):
    """An exclusive, non-blocking `flock` on ``<data_dir>/newsbot.lock``; released when the process ends."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(Path(data_dir) / "newsbot.lock")

    def acquire(self) -> InstanceLock:
        try:
            fd = self._lock(fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self.path.read_text(errors="replace")[:32].strip() or "unknown"
            raise AlreadyRunning(
                f"another newsbot (pid {holder}) is already running with data dir {self.path.parent}; "
                "stop it first, or give this one another --data dir"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        return self

    def __enter__(self) -> InstanceLock:
        return self.acquire()


class DataDirInUse(RuntimeError):
    """Some newsbot process (the bot, a chat) has the data dir's database open."""


class DataDirUse(_FileLock):
    """A `flock` on ``<data_dir>/newsbot.users.lock``: shared while a process uses the database
    (`shared()`), exclusive for one that must be alone with it (`exclusive()`, non-blocking)."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(Path(data_dir) / "newsbot.users.lock")

    def shared(self) -> DataDirUse:
        self._lock(fcntl.LOCK_SH)
        return self

    def exclusive(self) -> DataDirUse:
        """Raises DataDirInUse (naming the processes, where the system tells) when anyone holds it."""
        try:
            self._lock(fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pids = ", ".join(map(str, lock_holders(self.path))) or "unknown"
            raise DataDirInUse(
                f"the data dir {self.path.parent} is in use by a running newsbot (pid {pids}: the bot, or "
                "newsbot chat on it); stop it first"
            ) from None
        return self


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
