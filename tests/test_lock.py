"""One writer at a time per case: a second command waits, then says who holds the case."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from harassment_pack.case import load_case
from harassment_pack.errors import UserError
from harassment_pack.evidence import add_evidence
from harassment_pack.lock import LOCK_FILENAME, case_lock, holds_lock

from .conftest import ONE_INCIDENT_ANSWERS

ROOT = Path(__file__).resolve().parent.parent
CHAT = ROOT / "tests" / "data" / "whatsapp" / "android_mixed.txt"
SCREENSHOT = ROOT / "samples" / "jane-smith" / "evidence" / "2026-07-03-whatsapp-threat.png"

LATER = """\
incidents:
  - when: 15/09/2026 20:05
    platform: Instagram
    respondent: r1
    kinds: [abuse]
    summary: Interview incident added later.
"""
HOLD = """
import sys, time
from harassment_pack.lock import case_lock
with case_lock(sys.argv[1], "import"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "harassment_pack", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


@pytest.fixture()
def small_case(tmp_path) -> Path:
    answers = tmp_path / "first.yaml"
    answers.write_text(ONE_INCIDENT_ANSWERS, encoding="utf-8")
    case_dir = tmp_path / "case"
    process = _cli("new", str(case_dir), "--answers", str(answers))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return case_dir


def test_second_writer_waits_then_names_the_holder(small_case, monkeypatch):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(small_case), "30"],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        monkeypatch.setenv("HARASSMENT_PACK_LOCK_WAIT", "0.5")
        started = time.monotonic()
        with pytest.raises(UserError) as caught:
            add_evidence(small_case, [SCREENSHOT])
        waited = time.monotonic() - started
        assert 0.5 <= waited < 5
        message = str(caught.value)
        assert f"'harassment-pack import' (process {holder.pid}, started " in message
        assert "wait for it to finish" in message and "HARASSMENT_PACK_LOCK_WAIT" in message
        assert load_case(small_case).evidence == []  # nothing was written meanwhile
    finally:
        holder.kill()
        holder.wait()
    # The kernel released the lock when the holder died: the same call now works at once.
    assert len(add_evidence(small_case, [SCREENSHOT])) == 1
    assert not (small_case / LOCK_FILENAME).exists()  # removed by the last holder


def test_cli_says_who_holds_the_case_in_one_line(small_case):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(small_case), "30"],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        env = {**os.environ, "HARASSMENT_PACK_LOCK_WAIT": "0.3"}
        process = _cli("import", "whatsapp", str(CHAT), "--case", str(small_case),
                       "--from", "Sam Doe", "--yes", env=env)  # fmt: skip
        _, err = process.communicate(timeout=60)
        assert process.returncode == 2
        assert (
            err.count("\n") == 1 and "the case is being changed by 'harassment-pack import'" in err
        )
    finally:
        holder.kill()
        holder.wait()


def test_lock_is_reentrant_in_one_process(tmp_path):
    with case_lock(tmp_path, "interview"):
        with case_lock(tmp_path, "evidence add", wait=0):
            assert holds_lock(tmp_path)
        assert holds_lock(tmp_path)
    assert not holds_lock(tmp_path)


def test_bad_wait_setting_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("HARASSMENT_PACK_LOCK_WAIT", "soon")
    with (
        pytest.raises(UserError, match="HARASSMENT_PACK_LOCK_WAIT='soon' is not a number"),
        case_lock(tmp_path, "import"),
    ):
        pass


@pytest.mark.parametrize("run", range(4))
def test_import_and_interview_at_once_lose_nothing(small_case, tmp_path, run):
    """The bug: both exited 0 and the interview's incident was gone in 4 of 8 runs."""
    later = tmp_path / "later.yaml"
    later.write_text(LATER, encoding="utf-8")
    importing = _cli("import", "whatsapp", str(CHAT), "--case", str(small_case),
                     "--from", "Sam Doe", "--yes")  # fmt: skip
    if run % 2:
        time.sleep(0.05 * run)
    interview = _cli("interview", str(small_case), "--answers", str(later))
    results = [(p, *p.communicate(timeout=120)) for p in (importing, interview)]
    for process, _, err in results:
        assert process.returncode == 0, err
    summaries = [i.summary for i in load_case(small_case).incidents]
    assert "First typed incident." in summaries
    assert "Interview incident added later." in summaries
    assert sum(s.startswith("Message from Sam Doe") for s in summaries) == 3
    assert len(summaries) == 7


def test_two_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    """The web interview answers in threads: one case is still changed by one at a time."""
    order: list[str] = []

    def first() -> None:
        with case_lock(tmp_path, "first"):
            order.append("first in")
            time.sleep(0.5)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    while not order:
        time.sleep(0.01)
    with case_lock(tmp_path, "second", wait=10):
        order.append("second in")
    thread.join()
    assert order == ["first in", "first out", "second in"]
