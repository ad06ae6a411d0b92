"""A second bot on the same data dir refuses to start, with a clear message."""

import subprocess
import sys

import pytest

from bot.instance import AlreadyRunning, InstanceLock


def test_a_second_instance_on_the_same_data_dir_is_refused(tmp_path):
    script = (
        "import sys, pathlib; from bot.instance import InstanceLock;"
        f"InstanceLock(pathlib.Path({str(tmp_path)!r})).acquire();"
        "print('locked', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(AlreadyRunning, match=rf"pid {holder.pid}.*already running"):
            InstanceLock(tmp_path).acquire()
    finally:
        holder.communicate("")
    # once the first process is gone, the lock is free again
    with InstanceLock(tmp_path):
        pass


def test_another_data_dir_is_independent(tmp_path):
    with InstanceLock(tmp_path / "a"), InstanceLock(tmp_path / "b"):
        pass
