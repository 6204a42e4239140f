"""A signal or kill at the worst moment of a conversion never leaves LibreOffice running, nor
LibreOffice's temporary files (``lu*.tmp``, which may hold document content) behind.

The worst moments: inside ``Popen`` (soffice has started, the build has not yet got its process
back), while a lane's thread starts its next soffice, and a second signal half-way through
stopping them. A signal sent from outside could land there only by luck, so a driver script
runs the real build (or conversion) with ``subprocess.Popen`` / ``os.killpg`` wrapped to raise
the signal exactly there (``signal.raise_signal``: handled before the call returns), and records
each soffice's process group for the test to check. Nothing else is replaced.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from harassment_pack.convert import PROFILES_DIRNAME, WORK_PREFIX, remove_abandoned_work
from harassment_pack.split import DOCUMENT_XML, SPLIT_BYTES

from .conftest import SAMPLES, copy_sample, fake_soffice_env

FAKE = r"""#!{python}
import os, pathlib, subprocess, sys, time
child = subprocess.Popen(["sleep", "300"])  # its soffice.bin: must die with the group
first = pathlib.Path(os.environ["FAKE_FIRST_DONE"])
if os.environ.get("FAKE_FIRST_OK") and not first.exists():
    first.write_text("done")
    sys.exit(0)  # the lane's first batch converted: the lane starts its next soffice
time.sleep(300)
"""

DRIVER = r"""
import os, signal, subprocess, sys, threading
from pathlib import Path

from harassment_pack import cli, convert

moment = os.environ["MOMENT"]
groups = Path(os.environ["GROUPS"])
stopping = threading.Event()
real_stop = convert._Run.stop


def stop(self):
    stopping.set()
    real_stop(self)


convert._Run.stop = stop


class Popen(subprocess.Popen):
    def __init__(self, args, *rest, **kwargs):
        super().__init__(args, *rest, **kwargs)
        if "soffice" not in str(args[0]):
            return
        with groups.open("a") as handle:
            handle.write(f"{self.pid}\n")
        starts = len(groups.read_text().split())
        if moment == "start" and starts == 1:
            signal.raise_signal(signal.SIGTERM)  # soffice runs; Popen has not returned yet
        elif moment == "next" and starts == 2:  # the lane's thread starts its second soffice
            signal.raise_signal(signal.SIGTERM)  # handled by the main thread, which stops …
            stopping.wait(120)  # … while this soffice is still being started
        elif moment == "kill" and starts == 1:  # killed before it has recorded soffice
            os.kill(os.getpid(), signal.SIGKILL)


subprocess.Popen = Popen
real_killpg = os.killpg


def killpg(pgid, sig):
    if moment == "stop" and sig == signal.SIGKILL:
        signal.raise_signal(signal.SIGINT)  # a second Ctrl-C while the first is handled
    real_killpg(pgid, sig)


os.killpg = killpg
if sys.argv[1] == "convert":  # two big documents: one lane, one soffice each, in turn
    try:
        convert.convert_to_pdf([Path(p) for p in sys.argv[3:]], Path(sys.argv[2]), processes=1)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        sys.exit(130)
else:
    sys.exit(cli.main(sys.argv[2:]))
"""


@pytest.fixture()
def env(tmp_path) -> dict[str, str]:
    """The fake soffice first on PATH, a private TMPDIR to inspect, the groups' record."""
    return fake_soffice_env(
        tmp_path,
        FAKE.format(python=sys.executable),
        GROUPS=str(tmp_path / "groups"),
        FAKE_FIRST_DONE=str(tmp_path / "first-done"),
    )


def _drive(tmp_path: Path, env: dict[str, str], moment: str, *args: str, code: int = 130) -> str:
    """Run the driver; return its stderr once it has ended as an interrupted build does."""
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    result = subprocess.run(
        [sys.executable, str(driver), *args],
        env={**env, "MOMENT": moment}, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == code, result.stderr
    if code != 130:
        return result.stderr
    assert "Stopped." in result.stderr
    assert "Traceback" not in result.stderr and "Exception in thread" not in result.stderr
    return result.stderr


def _alive_in(groups: set[int]) -> list[str]:
    """Processes (not zombies) in any of the process ``groups``: 'pid command'."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            state, _ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if int(pgrp) in groups and state != "Z":
                command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                found.append(f"{stat.parent.name} {command.decode(errors='replace')}")
    return found


def _mentioning(text: str) -> list[str]:
    """Live processes whose command line or environment mentions ``text`` (a test's folder)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            if proc.name == str(os.getpid()):
                continue
            command = (proc / "cmdline").read_bytes()
            if text.encode() in command or text.encode() in (proc / "environ").read_bytes():
                words = command.replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{proc.name} {words}")
    return found


def _assert_nothing_left(tmp_path: Path, env: dict[str, str], starts: int) -> None:
    groups = {int(pid) for pid in (tmp_path / "groups").read_text().split()}
    assert len(groups) == starts
    deadline = time.monotonic() + 30  # at once when idle; the budget is for a loaded machine
    while _alive_in(groups) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _alive_in(groups) == [], "soffice is still running after the tool exited"
    assert not list(Path(env["TMPDIR"]).glob(f"{WORK_PREFIX}*")), "the work folder is left"


@pytest.mark.parametrize("moment", ["start", "stop"])
def test_signal_at_the_worst_moment_of_a_build_leaves_no_soffice(env, tmp_path, moment):
    """'start': SIGTERM inside Popen; 'stop': the build times out and, while it stops soffice,
    Ctrl-C comes just before the kill."""
    out = tmp_path / "out"
    build = ["build", str(SAMPLES / "minimal"), "-o", str(out), "--only", "chronology"]
    _drive(tmp_path, env, moment, "cli", *build, "--timeout", "1")
    _assert_nothing_left(tmp_path, env, starts=1)
    assert not (out / "chronology.pdf").exists()


def test_signal_while_a_lane_starts_its_next_soffice_leaves_none(env, tmp_path):
    docs = []
    for name in ("one", "two"):  # each big enough for a soffice of its own
        docx = tmp_path / f"{name}.docx"
        with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(DOCUMENT_XML, " " * SPLIT_BYTES)
        docs.append(str(docx))
    _drive(tmp_path, {**env, "FAKE_FIRST_OK": "1"}, "next", "convert", str(tmp_path / "out"), *docs)
    _assert_nothing_left(tmp_path, env, starts=2)


def test_signal_inside_popen_of_the_real_soffice_leaves_none_of_its_profile(tmp_path):
    """The real LibreOffice: SIGTERM as soon as soffice is started; no process of the case's
    profile (or the build's work folder) runs afterwards, and none recreates the profile."""
    case = copy_sample(SAMPLES / "minimal", tmp_path / "case")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "GROUPS": str(tmp_path / "groups")}
    build = ["build", str(case), "-o", str(tmp_path / "out"), "--only", "chronology"]
    _drive(tmp_path, env, "start", "cli", *build)
    _assert_nothing_left(tmp_path, env, starts=1)
    assert _mentioning(str(tmp_path)) == []
    assert not (case / PROFILES_DIRNAME / "0").exists()  # discarded, and nothing remade it


def test_build_killed_before_it_recorded_soffice_is_cleaned_up_by_the_next_run(env, tmp_path):
    """kill -9 right after soffice started, before the build wrote its process group down: the
    next build still finds it (by its temporary folder, inside the abandoned work folder)."""
    build = ["build", str(SAMPLES / "minimal"), "-o", str(tmp_path / "out"), "--only", "chronology"]
    _drive(tmp_path, env, "kill", "cli", *build, code=-signal.SIGKILL)
    groups = {int(pid) for pid in (tmp_path / "groups").read_text().split()}
    assert _alive_in(groups)  # the orphaned "LibreOffice" still runs …
    assert len(remove_abandoned_work(Path(env["TMPDIR"]))) == 1  # … until the next build starts
    _assert_nothing_left(tmp_path, env, starts=1)


def _lu_folders(tmp: Path) -> list[Path]:
    return [path for path in tmp.rglob("lu*.tmp") if path.is_dir()]


@pytest.mark.parametrize("how", ["killed", "stopped"])
def test_libreoffice_temporary_files_never_outlive_the_build(tmp_path, how):
    """The real LibreOffice, frozen (SIGSTOP) once it has made its ``lu*.tmp`` folder, so that it
    can never tidy up after itself, as after a kill. 'killed': the build is killed outright
    (kill -9) and the next build cleans up; 'stopped': the build gets SIGTERM. Either way
    nothing is left in the system's temporary folder (a private TMPDIR here)."""
    case = copy_sample(SAMPLES / "minimal", tmp_path / "case")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    command = [sys.executable, "-m", "harassment_pack", "build", str(case), "-o",
               str(tmp_path / "out"), "--only", "chronology"]  # fmt: skip
    build = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600
    while not _lu_folders(tmp):
        assert build.poll() is None, "the build ended before soffice made its temporary folder"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    groups = set()
    for owner in tmp.glob(f"{WORK_PREFIX}*/owner"):
        groups |= {int(pgid) for pgid in owner.read_text().split()[1:]}
    assert groups
    for pgid in groups:
        os.killpg(pgid, signal.SIGSTOP)
    try:
        assert _lu_folders(tmp), "soffice finished before it was frozen"
        if how == "killed":
            build.kill()
            build.communicate(timeout=120)
            assert _lu_folders(tmp)  # left behind until …
            again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300,
                                   check=False)  # fmt: skip
            assert again.returncode == 0, again.stderr  # … the next build's clean-up
        else:
            build.send_signal(signal.SIGTERM)
            _, stderr = build.communicate(timeout=120)
            assert build.returncode == 130, stderr
        deadline = time.monotonic() + 30
        while _alive_in(groups) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _alive_in(groups) == []
        assert list(tmp.iterdir()) == []
    finally:
        for pgid in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
