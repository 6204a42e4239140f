"""LibreOffice hangs, writes garbage, fails or is killed: one line, nothing left, rebuild works.

A fake ``soffice`` (a small Python script put first on PATH) plays each fault; after each, the
real LibreOffice rebuilds the same case into the same folder and must succeed.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.convert import PROFILES_DIRNAME, WORK_PREFIX, remove_abandoned_work

from .conftest import SAMPLES, copy_sample, fake_soffice_env

FAKE = r"""#!{python}
import os, pathlib, signal, subprocess, sys, time
mode = os.environ["FAKE_SOFFICE_MODE"]
args = sys.argv[1:]
outdir = pathlib.Path(args[args.index("--outdir") + 1])
docs = [pathlib.Path(a) for a in args if a.endswith(".docx")]
child = subprocess.Popen(["sleep", "300"])  # soffice.bin: must die with the group
pathlib.Path(os.environ["FAKE_SOFFICE_PIDS"]).write_text(f"{{os.getpid()}} {{child.pid}}")
if os.environ.get("FAKE_SOFFICE_READY"):  # a test waits for this start: tell it
    ready = os.open(os.environ["FAKE_SOFFICE_READY"], os.O_WRONLY | os.O_NONBLOCK)
    os.write(ready, b"started")
    os.close(ready)
if mode == "hang":
    time.sleep(300)
elif mode == "garbage":
    for doc in docs:
        (outdir / (doc.stem + ".pdf")).write_bytes(b"%PDF-1.7\n\x00garbage\xff" * 50)
elif mode == "fail":
    print("Error: source file could not be loaded", flush=True)
    sys.exit(1)
elif mode == "killed":
    for doc in docs:
        (outdir / f".~lock.{{doc.stem}}.pdf#").write_text("lock")
        (outdir / "lu1234abcd.tmp").write_bytes(b"x" * 100)
        (outdir / (doc.stem + ".pdf")).write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Cat")
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.fixture()
def fake_env(tmp_path) -> dict[str, str]:
    """Environment with the fake soffice first on PATH and a private TMPDIR to inspect."""
    script = FAKE.format(python=sys.executable)
    return fake_soffice_env(tmp_path, script, FAKE_SOFFICE_PIDS=str(tmp_path / "pids"))


def _build(out: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "harassment_pack", "build", str(SAMPLES / "minimal")]
    return subprocess.run(
        [*command, "-o", str(out), "--only", "chronology", *extra],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def _start_until_soffice_runs(
    command: list[str], env: dict[str, str], tmp_path: Path, **popen
) -> subprocess.Popen:
    """Start a build; return once its (fake) soffice has started and the build has recorded
    soffice's process group (what a signal makes it stop).

    The fake says so through a FIFO, so the test waits for that event, not for a time budget:
    as fast as the build on an idle machine, and never too short on a loaded one. Only the
    build ending first (or, as a last resort, ten minutes) stops the wait."""
    ready = tmp_path / "ready"
    os.mkfifo(ready)
    reader = os.open(ready, os.O_RDONLY | os.O_NONBLOCK)  # open before the fake writes
    try:
        process = subprocess.Popen(command, env={**env, "FAKE_SOFFICE_READY": str(ready)}, **popen)
        deadline = time.monotonic() + 600
        while not select.select([reader], [], [], 0.5)[0]:
            assert process.poll() is None, "the build ended before soffice started"
            assert time.monotonic() < deadline, "soffice did not start in ten minutes"
        assert os.read(reader, 64) == b"started"
    finally:
        os.close(reader)
    # The build stops only the soffice groups it has recorded: wait until it has this one.
    fake = (tmp_path / "pids").read_text().split()[0]
    while fake not in _recorded_groups(Path(env["TMPDIR"])):
        assert process.poll() is None, "the build ended before it recorded soffice"
        time.sleep(0.02)
    return process


def _recorded_groups(tmp: Path) -> list[str]:
    """The soffice process groups the builds working in ``tmp`` have recorded as theirs."""
    groups = []
    for owner in tmp.glob(f"{WORK_PREFIX}*/owner"):
        with contextlib.suppress(FileNotFoundError):
            groups += owner.read_text().split()[1:]
    return groups


def _dead(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie is dead too: it only waits for init to reap it.
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _assert_clean(out: Path, env: dict[str, str], tmp_path: Path) -> None:
    """No soffice left running, no work folder, no lock/temp file, and no 0644 PDF in out/."""
    fake_pid, child_pid = (int(p) for p in (tmp_path / "pids").read_text().split())
    deadline = time.monotonic() + 30  # at once when idle; the budget is for a loaded machine
    while not (_dead(fake_pid) and _dead(child_pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _dead(fake_pid) and _dead(child_pid), "soffice's process group is still running"
    assert not list(Path(env["TMPDIR"]).glob(f"{WORK_PREFIX}*"))
    leftovers = [p.name for p in out.iterdir() if p.name.startswith((".~lock", "lu", "."))
                 and p.name != ".ocr-cache"]  # fmt: skip
    assert leftovers == []
    assert not (out / "chronology.pdf").exists()
    assert not (out / "pack.pdf").exists()


def _real_rebuild(out: Path, env: dict[str, str]) -> None:
    real = {k: v for k, v in env.items() if k != "FAKE_SOFFICE_MODE"}
    real["PATH"] = os.environ["PATH"]
    result = _build(out, real)
    assert result.returncode == 0, result.stderr
    for name in ("chronology.pdf", "pack.pdf"):
        assert (out / name).stat().st_mode & 0o777 == 0o600
    assert len(PdfReader(out / "chronology.pdf").pages) >= 1
    assert not [p for p in out.iterdir() if p.name.startswith((".~lock", "lu"))]
    assert not list(Path(env["TMPDIR"]).glob(f"{WORK_PREFIX}*"))


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("hang", "LibreOffice took longer than 2 seconds and was stopped"),
        ("garbage", "LibreOffice wrote a damaged chronology.pdf"),
        ("fail", "LibreOffice did not produce chronology.pdf (Error: source file could not"),
        ("killed", "LibreOffice was stopped by signal 9 before it finished"),
    ],
)
def test_fault_is_one_line_leaves_nothing_and_real_rebuild_works(fake_env, tmp_path, mode,
                                                                 expected):  # fmt: skip
    out = tmp_path / "out"
    out.mkdir()
    # What older versions left after a killed LibreOffice: cleared by the next build.
    (out / ".~lock.chronology.pdf#").write_text("stale lock")
    (out / "lu5678.tmp").write_text("stale temp")
    env = {**fake_env, "FAKE_SOFFICE_MODE": mode}
    result = _build(out, env, "--timeout", "2")
    # Counted from soffice's start (when the fake wrote its pids), not the build's, so that a
    # slow start on a loaded machine does not count: a hang is stopped long before its 300 s.
    assert time.time() - (tmp_path / "pids").stat().st_mtime < 60
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(f"harassment-pack: {expected}"), result.stderr
    assert "Traceback" not in result.stderr
    _assert_clean(out, env, tmp_path)
    _real_rebuild(out, env)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_conversion_stops_the_group_and_removes_its_folder(fake_env, tmp_path, sig):
    out = tmp_path / "out"
    env = {**fake_env, "FAKE_SOFFICE_MODE": "hang"}
    command = [sys.executable, "-m", "harassment_pack", "build", str(SAMPLES / "minimal"),
               "-o", str(out), "--only", "chronology"]  # fmt: skip
    process = _start_until_soffice_runs(command, env, tmp_path, stderr=subprocess.PIPE, text=True)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Stopped." in stderr and "Traceback" not in stderr
    _assert_clean(out, env, tmp_path)


def test_build_killed_outright_is_cleaned_up_by_the_next_run(fake_env, tmp_path):
    out = tmp_path / "out"
    env = {**fake_env, "FAKE_SOFFICE_MODE": "hang"}
    command = [sys.executable, "-m", "harassment_pack", "build", str(SAMPLES / "minimal"),
               "-o", str(out), "--only", "chronology"]  # fmt: skip
    process = _start_until_soffice_runs(command, env, tmp_path, stderr=subprocess.DEVNULL)
    pids = tmp_path / "pids"
    process.kill()
    process.wait()
    fake_pid = int(pids.read_text().split()[0])
    assert not _dead(fake_pid)  # the orphaned "LibreOffice" is still running …
    assert list(Path(env["TMPDIR"]).glob(f"{WORK_PREFIX}*"))
    removed = remove_abandoned_work(Path(env["TMPDIR"]))  # … until the next build starts
    assert len(removed) == 1
    _assert_clean(out, env, tmp_path)
    _real_rebuild(out, env)


def test_timeout_from_environment_and_bad_values(fake_env, tmp_path):
    out = tmp_path / "out"
    env = {**fake_env, "FAKE_SOFFICE_MODE": "hang", "HARASSMENT_PACK_TIMEOUT": "1.5"}
    result = _build(out, env)
    assert "longer than 1.5 seconds" in result.stderr
    bad = _build(out, fake_env, "--timeout", "soon")
    assert bad.returncode == 2 and "give the time limit in seconds" in bad.stderr
    env["HARASSMENT_PACK_TIMEOUT"] = "-3"
    bad_env = _build(out, env)
    assert bad_env.returncode == 2
    assert (
        bad_env.stderr.strip()
        .splitlines()[-1]
        .startswith("harassment-pack: HARASSMENT_PACK_TIMEOUT -3: give the time limit in seconds")
    )


def test_stopped_conversion_discards_the_case_profile(fake_env, tmp_path):
    """A profile soffice was using when it was stopped may be half-written: never reused."""
    case = tmp_path / "case"
    copy_sample(SAMPLES / "minimal", case)
    out = tmp_path / "out"
    env = {**fake_env, "FAKE_SOFFICE_MODE": "hang"}
    command = [sys.executable, "-m", "harassment_pack", "build", str(case), "-o", str(out),
               "--only", "chronology"]  # fmt: skip
    process = _start_until_soffice_runs(command, env, tmp_path, stderr=subprocess.PIPE, text=True)
    profile = case / PROFILES_DIRNAME / "0"
    assert json.loads((profile / "harassment-pack.json").read_text())["in_use"] is True
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert not profile.exists()
    _assert_clean(out, env, tmp_path)


def test_profile_left_in_use_by_a_killed_build_is_made_afresh(tmp_path):
    case = tmp_path / "case"
    copy_sample(SAMPLES / "minimal", case)
    build_case(case, tmp_path / "out", only=["chronology"])
    profile = case / PROFILES_DIRNAME / "0"
    state = profile / "harassment-pack.json"
    # What a build killed outright (kill -9) while soffice wrote to the profile leaves.
    state.write_text(state.read_text().replace('"in_use": false', '"in_use": true'))
    (profile / "user" / "half-written.xcu").write_text("<oor:items")
    build_case(case, tmp_path / "again", only=["chronology"])
    assert not (profile / "user" / "half-written.xcu").exists()
    assert json.loads(state.read_text())["in_use"] is False
    assert len(PdfReader(tmp_path / "again" / "chronology.pdf").pages) >= 1
