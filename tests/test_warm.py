"""A warm LibreOffice kept per case between builds (real soffice, real processes).

A rebuild hands its documents to the LibreOffice the build before it left running, instead of
waiting for a new one to start; that instance must quit on its own when idle, be recovered
from when killed, never be shared by two builds at once, and leave nothing running when
keeping it is turned off (the rest of the suite runs with it off: ``conftest.py``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.convert import PROFILES_DIRNAME
from harassment_pack.errors import UserError
from harassment_pack.warm import KEEP_ENV, keep_seconds, pipe_path, read_record, stop_kept

from .conftest import SAMPLES, TODAY, copy_sample

ONLY = ["chronology", "evidence_schedule"]
PATIENCE = 180.0
"""Seconds a test waits for something that takes a second on an idle machine (never a lower
bound: the tests do not depend on how busy the machine is)."""


@pytest.fixture()
def case(tmp_path):
    """The minimal sample; afterwards any warm LibreOffice of it is stopped (as the user would
    find it stopped once its idle time is over)."""
    case = copy_sample(SAMPLES / "minimal", tmp_path / "case")
    yield case
    record = _record(case)
    stop_kept(case / PROFILES_DIRNAME)
    if record:
        _wait_until(lambda: not _alive(record["soffice"]), "the kept LibreOffice stopped")


def _record(case: Path) -> dict:
    return read_record(case / PROFILES_DIRNAME)


def _alive(pid: int | None) -> bool:
    """Running (a process that ended but is not yet reaped is not)."""
    if not pid:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def _wait_until(condition, what: str) -> None:
    until = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < until, f"waited {PATIENCE:g} s: {what}"
        time.sleep(0.1)


def _running_on(case: Path) -> list[str]:
    """Command lines of every process still running with this case's folder in them."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or not _alive(int(entry.name)):
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(case) in command:
            found.append(command)
    return found


def _change_an_incident(case: Path, words: str) -> None:
    path = case / "case.yaml"
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"(summary: >-\n\s+)", rf"\1{words} ", text, count=1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")


def _text(pdf: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_a_rebuild_hands_its_documents_to_the_warm_libreoffice(case, tmp_path, monkeypatch):
    monkeypatch.setenv(KEEP_ENV, "600")
    build_case(case, tmp_path / "out", only=ONLY, today=TODAY)
    record = _record(case)
    assert _alive(record["soffice"]) and _alive(record["watchdog"])
    assert record["profile"] == (case / PROFILES_DIRNAME / "0").absolute().as_uri()
    # Detached: neither is a child of the build, and the warm one holds no case file open.
    for pid in (record["soffice"], record["watchdog"]):
        assert os.getppid() != pid and _parent(pid) != os.getpid()
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            assert str(case) not in os.readlink(fd), os.readlink(fd)
        assert str(case) not in os.readlink(f"/proc/{pid}/cwd")
    # Private: its folder, its pipe (a Unix socket under /tmp, no network) and the record.
    assert Path(record["folder"]).stat().st_mode & 0o777 == 0o700
    pipe = pipe_path(record["profile"])
    assert pipe.is_socket() and pipe.stat().st_mode & 0o777 == 0o700
    assert (case / PROFILES_DIRNAME / "0.warm").stat().st_mode & 0o777 == 0o600

    before = _cpu_ticks(record["soffice"])
    _change_an_incident(case, "Changed for the rebuild.")
    seen: list[str] = []
    build_case(
        case,
        tmp_path / "out",
        only=ONLY,
        today=TODAY,
        progress=lambda done, total, name: seen.append(f"{done}/{total} {name}"),
    )
    assert _record(case) == record, "a new LibreOffice was started instead of the warm one"
    # The warm LibreOffice did the conversion (its CPU time went up; nothing else of the
    # case's is running now: the soffice that handed it the documents has ended).
    assert _cpu_ticks(record["soffice"]) > before
    assert sorted(_running_on(case)) == sorted(
        _command(record["watchdog"]) + _command(record["soffice"])
    )
    assert "Changed for the rebuild." in _text(tmp_path / "out" / "chronology.pdf")
    assert seen and seen[-1].startswith("1/1 chronology")  # the unchanged schedule was reused
    assert (tmp_path / "out" / "chronology.pdf").stat().st_mode & 0o777 == 0o600


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _command(pid: int) -> list[str]:
    return [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()]


def test_the_warm_libreoffice_quits_when_idle(case, tmp_path, monkeypatch):
    monkeypatch.setenv(KEEP_ENV, "1")
    build_case(case, tmp_path / "out", only=ONLY, today=TODAY)
    record = _record(case)
    assert record, "no LibreOffice kept"
    _wait_until(lambda: not _alive(record["soffice"]), "LibreOffice quit when idle")
    _wait_until(lambda: not _alive(record["watchdog"]), "its watchdog ended")
    assert not _record(case)
    assert not Path(record["folder"]).exists()
    assert not pipe_path(record["profile"]).exists()
    assert _running_on(case) == []
    # It quit when asked, so its profile is kept for the next build.
    state = json.loads((case / PROFILES_DIRNAME / "0" / "harassment-pack.json").read_text())
    assert state["in_use"] is False


def test_a_killed_warm_libreoffice_is_recovered_from(case, tmp_path, monkeypatch):
    monkeypatch.setenv(KEEP_ENV, "600")
    build_case(case, tmp_path / "out", only=ONLY, today=TODAY)
    killed = _record(case)
    os.kill(killed["soffice"], signal.SIGKILL)
    _change_an_incident(case, "After the kill.")
    build_case(case, tmp_path / "out", only=ONLY, today=TODAY)
    assert "After the kill." in _text(tmp_path / "out" / "chronology.pdf")
    record = _record(case)
    assert record["soffice"] != killed["soffice"] and _alive(record["soffice"])
    assert not _alive(killed["watchdog"])
    assert not Path(killed["folder"]).exists()


def test_a_stopped_conversion_stops_the_warm_libreoffice(case, tmp_path, monkeypatch):
    """A warm LibreOffice that hangs (here: stopped with SIGSTOP) is killed at the time limit
    with the conversion; no PDF of the changed document is left in out/."""
    monkeypatch.setenv(KEEP_ENV, "600")
    out = tmp_path / "out"
    build_case(case, out, only=ONLY, today=TODAY)
    record = _record(case)
    os.kill(record["soffice"], signal.SIGSTOP)
    _change_an_incident(case, "Never converted.")
    with pytest.raises(UserError, match="took longer than 3 seconds"):
        build_case(case, out, only=ONLY, today=TODAY, timeout=3)
    _wait_until(lambda: not _alive(record["soffice"]), "the hung LibreOffice was killed")
    assert not (out / "chronology.pdf").exists()
    assert not (case / PROFILES_DIRNAME / "0").exists(), "the profile was kept"
    _wait_until(lambda: not _alive(record["watchdog"]), "its watchdog ended")
    build_case(case, out, only=ONLY, today=TODAY)
    assert "Never converted." in _text(out / "chronology.pdf")


def test_two_builds_of_one_case_at_once_with_keeping(case, tmp_path):
    command = [sys.executable, "-m", "harassment_pack", "build", str(case), "--only", *ONLY]
    env = {**os.environ, KEEP_ENV: "600"}
    for round_ in (1, 2):  # from cold, then with a warm LibreOffice running
        _change_an_incident(case, f"Round {round_}.")
        runs = [
            subprocess.Popen(
                [*command, "-o", str(tmp_path / f"out{round_}{n}")],
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for n in (1, 2)
        ]
        for run in runs:
            _, stderr = run.communicate(timeout=600)
            assert run.returncode == 0, stderr
        for n in (1, 2):
            assert f"Round {round_}." in _text(tmp_path / f"out{round_}{n}" / "chronology.pdf")
            assert len(PdfReader(tmp_path / f"out{round_}{n}" / "pack.pdf").pages) >= 2
        record = _record(case)
        assert _alive(record["soffice"])
        warm = [c for c in _running_on(case) if "-env:UserInstallation" in c]
        assert len(warm) == 1, warm  # one kept per case, the other build's soffice ended


def test_keeping_turned_off_leaves_nothing_running(case, tmp_path, monkeypatch):
    monkeypatch.setenv(KEEP_ENV, "600")
    build_case(case, tmp_path / "out", only=ONLY, today=TODAY)
    record = _record(case)
    monkeypatch.setenv(KEEP_ENV, "0")  # turned off: the next build stops the one kept
    build_case(case, tmp_path / "out2", only=ONLY, today=TODAY)
    _wait_until(lambda: not _alive(record["watchdog"]), "the kept LibreOffice was stopped")
    assert not _alive(record["soffice"]) and not _record(case)
    build_case(case, tmp_path / "out3", only=ONLY, today=TODAY)
    assert _running_on(case) == []
    assert not _record(case)


def test_the_setting_is_checked(monkeypatch):
    monkeypatch.setenv(KEEP_ENV, "ten minutes")
    with pytest.raises(UserError, match=f"{KEEP_ENV}=ten minutes: give the seconds"):
        keep_seconds()
    monkeypatch.setenv(KEEP_ENV, "-1")
    with pytest.raises(UserError):
        keep_seconds()
    monkeypatch.setenv(KEEP_ENV, "0")
    assert keep_seconds() == 0
    monkeypatch.delenv(KEEP_ENV)
    assert keep_seconds() == 600


def test_the_warm_libreoffice_quits_when_its_case_is_deleted(case, tmp_path, monkeypatch):
    monkeypatch.setenv(KEEP_ENV, "600")
    build_case(case, tmp_path / "out", only=ONLY, today=TODAY)
    record = _record(case)
    shutil.rmtree(case)
    _wait_until(lambda: not _alive(record["soffice"]), "LibreOffice quit with its case")
    _wait_until(lambda: not _alive(record["watchdog"]), "its watchdog ended")
    assert not Path(record["folder"]).exists()


def test_a_kept_libreoffice_of_another_build_is_replaced(case, tmp_path, monkeypatch):
    """A record naming another LibreOffice (as after an upgrade) is not used: it is stopped
    and a new one started, so documents are never converted by an older LibreOffice."""
    monkeypatch.setenv(KEEP_ENV, "600")
    build_case(case, tmp_path / "out", only=ONLY, today=TODAY)
    old = _record(case)
    path = case / PROFILES_DIRNAME / "0.warm"
    path.write_text(json.dumps({**old, "converter": "another LibreOffice"}), encoding="utf-8")
    _change_an_incident(case, "After the upgrade.")
    build_case(case, tmp_path / "out", only=ONLY, today=TODAY)
    assert "After the upgrade." in _text(tmp_path / "out" / "chronology.pdf")
    _wait_until(lambda: not _alive(old["soffice"]), "the other LibreOffice was stopped")
    new = _record(case)
    assert new["soffice"] != old["soffice"] and _alive(new["soffice"])
