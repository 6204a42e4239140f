"""kill -9 at random moments of evidence add, import and new --answers loses nothing.

After each kill: the case loads (when it exists), the next run of the same command tidies up
what the killed one left (saying so), no orphan file remains, and nothing is there twice.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harassment_pack.case import CASE_FILENAME, load_case
from harassment_pack.evidence import verify_evidence
from harassment_pack.interview import PROGRESS_FILENAME
from harassment_pack.transaction import STAGING_DIRNAME

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "samples" / "jane-smith" / "evidence"
PICTURES = sorted(EVIDENCE.glob("*.png"))[:4]
CHAT = ROOT / "tests" / "data" / "whatsapp" / "android_mixed.txt"
KILLS_PER_COMMAND = 10

ANSWERS = f"""\
applicant:
  full_name: Sam Taylor
respondents:
  - name: Sam Doe
incidents:
  - when: 14/09/2026 20:05
    platform: Instagram
    respondent: r1
    kinds: [abuse]
    summary: First typed incident.
    evidence: {PICTURES[0]}
  - when: 15/09/2026 20:05
    platform: Instagram
    respondent: r1
    kinds: [abuse]
    summary: Second typed incident.
    evidence: {PICTURES[1]}
"""


def _command(kind: str, case_dir: Path, answers: Path) -> list[str]:
    base = [sys.executable, "-m", "harassment_pack"]
    if kind == "evidence add":
        return [*base, "evidence", "add", str(case_dir), *map(str, PICTURES)]
    if kind == "import":
        return [*base, "import", "whatsapp", str(CHAT), "--case", str(case_dir),
                "--from", "Sam Doe", "--yes"]  # fmt: skip
    return [*base, "new", str(case_dir), "--answers", str(answers)]


def _orphans(case_dir: Path) -> list[str]:
    """Files nobody registered, temporary files, staging folders: what a killed run left."""
    found = [p.name for p in case_dir.rglob("*") if p.name.endswith(".tmp")]
    found += [STAGING_DIRNAME] if (case_dir / STAGING_DIRNAME).exists() else []
    found += [p.name for p in case_dir.glob(".import-*")]
    named = re.findall(r"^imported_messages: (\S+)$", _text(case_dir / CASE_FILENAME), re.M)
    found += [p.name for p in case_dir.glob("imported-*.jsonl") if p.name not in named]
    if (case_dir / CASE_FILENAME).is_file():
        found += [str(p) for p in verify_evidence(case_dir).unregistered]
    return found


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def made_case(tmp_path_factory) -> Path:
    """One case made by 'new --answers', copied by each test that changes a case."""
    answers = tmp_path_factory.mktemp("answers") / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    made = tmp_path_factory.mktemp("made") / "case"
    done = _run(_command("new --answers", made, answers))
    assert done.returncode == 0, done.stderr
    return made


def _assert_done(again: subprocess.CompletedProcess, kind: str, committed: bool) -> None:
    """The re-run worked, or (``new`` after its case was saved) says the case is there."""
    if kind == "new --answers" and committed and again.returncode == 2:
        assert "already holds a case (carry on with 'harassment-pack interview" in again.stderr
    else:
        assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("kind", ["evidence add", "import", "new --answers"])
def test_kill_at_random_moments_then_rerun(tmp_path, kind):
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    rng = random.Random(f"{kind}-13")
    # How long one whole run takes here, so the kill points spread over all of it.
    probe = tmp_path / "probe"
    setup = _command("new --answers", probe, answers)
    started = time.monotonic()
    assert _run(setup).returncode == 0
    span = (time.monotonic() - started) * 1.2
    for attempt in range(KILLS_PER_COMMAND):
        case_dir = tmp_path / f"case{attempt}"
        if kind != "new --answers":
            shutil.copytree(probe, case_dir)  # the same case as 'new --answers' makes
        command = _command(kind, case_dir, answers)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, span))
        process.send_signal(signal.SIGKILL)
        process.wait()

        committed = (case_dir / CASE_FILENAME).is_file()
        if committed:
            load_case(case_dir)  # the case always loads
        again = _run(command)
        _assert_done(again, kind, committed)
        assert _orphans(case_dir) == []
        case = load_case(case_dir)
        hashes = [e.sha256 for e in case.evidence]
        assert len(hashes) == len(set(hashes)), "a file was registered twice"
        assert not [p for p in (case_dir / "evidence").iterdir() if "-2." in p.name]
        keys = [i.source.content_key for i in case.incidents if i.source.content_key]
        assert len(keys) == len(set(keys)), "a message was imported twice"
        summaries = [i.summary for i in case.incidents]
        assert summaries.count("First typed incident.") == 1
        expected = {"evidence add": 2 + 2, "import": 2 + 1, "new --answers": 2}[kind]
        assert len(case.evidence) == expected


KILLER = """
import os, signal, sys
import harassment_pack.interview.session as session
import harassment_pack.transaction as t
from harassment_pack.cli import main

phase = sys.argv[1]
die = lambda: os.kill(os.getpid(), signal.SIGKILL)
stage, journal, discard = t.Transaction.stage, t.Transaction._journal, t.Transaction.discard
stage_copy = t.Transaction.stage_copy
real_replace = os.replace

def staged(self, final, data):
    stage(self, final, data)
    if phase == "staging":
        die()

def staged_copy(self, final, source, sha256):  # a big file, copied in blocks (an export)
    stage_copy(self, final, source, sha256)
    if phase == "staging":
        die()

def journalled(self, state, files):
    journal(self, state, files)
    if state == "moving" and phase == "moving":
        def replace(a, b):
            real_replace(a, b)
            die()
        os.replace = replace

def discarded(self):
    if phase == "saved" and os.path.exists(os.path.join(self.folder, "journal.json")):
        with open(os.path.join(self.folder, "journal.json")) as handle:
            if '"moving"' in handle.read():
                die()
    discard(self)

def progress_then_die(path, data):
    real_write(path, data)
    if phase == "progress" and path.name == session.PROGRESS_FILENAME:
        die()  # the answers are saved; case.yaml is not written yet

t.Transaction.stage, t.Transaction._journal = staged, journalled
t.Transaction.stage_copy = staged_copy
t.Transaction.discard = discarded
real_write, session.write_private = session.write_private, progress_then_die
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("phase", ["staging", "moving", "saved"])
@pytest.mark.parametrize("kind", ["evidence add", "import", "new --answers"])
def test_kill_in_each_phase_is_tidied_with_a_line(tmp_path, made_case, kind, phase):
    """Killed while staging, half-way through moving files in, or just after the commit."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    case_dir = tmp_path / "case"
    if kind != "new --answers":
        shutil.copytree(made_case, case_dir)
    command = _command(kind, case_dir, answers)
    killed = _run([sys.executable, "-c", KILLER, phase, *command[3:]])
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (case_dir / STAGING_DIRNAME).is_dir()  # it did die inside the transaction

    committed = (case_dir / CASE_FILENAME).is_file()
    again = _run(command)
    _assert_done(again, kind, committed)
    assert f"a '{kind}' started " in again.stderr
    assert "was stopped before it finished" in again.stderr
    if phase == "moving":
        assert "copied file(s) were not yet saved in the case and have been removed" in (
            again.stderr
        )
    assert _orphans(case_dir) == []
    case = load_case(case_dir)
    hashes = [e.sha256 for e in case.evidence]
    assert len(hashes) == len(set(hashes))
    expected = {"evidence add": 2 + 2, "import": 2 + 1, "new --answers": 2}[kind]
    assert len(case.evidence) == expected


def test_new_answers_killed_between_its_answers_and_case_yaml_is_finished_by_a_rerun(tmp_path):
    """Killed after the progress file is written but before case.yaml: the rerun of the same
    'new --answers' writes case.yaml from the saved answers, says so, and adds nothing twice."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    case_dir = tmp_path / "case"
    command = _command("new --answers", case_dir, answers)
    killed = _run([sys.executable, "-c", KILLER, "progress", *command[3:]])
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (case_dir / CASE_FILENAME).exists()
    assert (case_dir / PROGRESS_FILENAME).is_file()

    again = _run(command)
    assert again.returncode == 0, again.stderr
    assert "saved your answers but stopped before writing case.yaml" in again.stderr
    assert "case.yaml is now written from those saved answers" in again.stderr
    assert f"Saved 14 answers from {answers}" in again.stdout
    assert _orphans(case_dir) == []
    case = load_case(case_dir)
    assert [i.summary for i in case.incidents] == [
        "First typed incident.",
        "Second typed incident.",
    ]
    assert len(case.evidence) == 2
    assert _run(command).returncode == 2  # a third run: the case is there, nothing is added
    assert len(load_case(case_dir).incidents) == 2

    other = tmp_path / "other.yaml"  # another answers file is not finished from these answers
    other.write_text(ANSWERS.replace("Sam Taylor", "Alex Taylor"), encoding="utf-8")
    shutil.rmtree(case_dir)
    _run([sys.executable, "-c", KILLER, "progress", *command[3:]])
    refused = _run(_command("new --answers", case_dir, other))
    assert refused.returncode == 2
    assert "carry on with 'harassment-pack interview" in refused.stderr
    assert not (case_dir / CASE_FILENAME).exists()
