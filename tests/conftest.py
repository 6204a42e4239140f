"""Shared fixtures: the sample pack is built once per test run with the real LibreOffice.

Under pytest-xdist (``-n 2``) each worker is a session of its own; the sample pack is still built
only once, by whichever worker asks first, and the others wait for it and read the same files.
Tests get the build read-only: a test that changes a case or a pack works on a copy.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
import yaml
from docx import Document
from pypdf import PdfReader

from harassment_pack.build import BuildResult, build_case
from harassment_pack.convert import PROFILES_DIRNAME
from harassment_pack.warm import KEEP_ENV

# No LibreOffice is kept running after the suite's builds (nor those of the commands it runs):
# only test_warm.py turns keeping one on, and stops what it kept.
os.environ[KEEP_ENV] = "0"

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TODAY = date(2026, 11, 24)
ONE_INCIDENT_ANSWERS = """\
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
"""
"""An answers file for `new --answers`: the smallest case that validates (one typed incident)."""


def copy_sample(source: Path, target: Path) -> Path:
    """A sample case copied to ``target`` for a test to change, without what a build of the
    same sample may be changing meanwhile on the other xdist worker: its LibreOffice profile
    (``.libreoffice``: lock files come and go, and a profile is removed after a stopped
    conversion) and the temporary files of its atomic cache writes (``*.tmp``), which may vanish
    between copytree's listing and its copy. Neither is part of a case: the copy makes a fresh
    profile, as a case on a new machine does."""
    return Path(
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(PROFILES_DIRNAME, "*.tmp"))
    )


def fake_soffice_env(tmp_path: Path, script: str, **extra: str) -> dict[str, str]:
    """The environment of a build whose ``soffice`` is ``script`` (a Python stand-in, first on
    PATH), with a private TMPDIR to inspect and the stand-in's own settings ``extra``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text(script)
    fake.chmod(0o755)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "TMPDIR": str(tmp),
        **extra,
    }


def many_incidents_case(folder: Path, count: int, every: timedelta) -> Path:
    """The minimal sample copied into ``folder/case`` with ``count`` generated incidents,
    ``every`` apart: a big case, each row long enough to wrap in the chronology's table."""
    case = folder / "case"
    copy_sample(SAMPLES / "minimal", case)
    data = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    start = datetime(2025, 11, 1, 8, 0, tzinfo=UTC)
    data["incidents"] = [
        {
            "id": f"i{n}",
            "when": (start + n * every).isoformat(),
            "platform": ["WhatsApp", "Instagram", "X"][n % 3],
            "respondent": "r1",
            "kinds": ["abuse"],
            "summary": f"The account sent me message number {n}.",
            "exact_words": f"Generated message {n}, long enough to wrap onto a second line "
            "in the chronology's table cell.",
        }
        for n in range(1, count + 1)
    ]
    (case / "case.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return case


def docx_text(path: Path) -> str:
    """All text of a .docx: body paragraphs, table cells, headers and footers, in order."""
    document = Document(str(path))
    parts: list[str] = []

    def walk(container) -> None:
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        walk(cell)
            else:
                parts.append(block.text)

    walk(document)
    for section in document.sections:
        for part in (section.header, section.footer):
            walk(part)
    # Zero-width spaces only mark where a long link may wrap; a reader never sees them.
    return "\n".join(parts).replace("\u200b", "")


T = TypeVar("T")


def once_per_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], T]
) -> T:
    """``make(folder)`` once per test run, shared by every xdist worker (each waits for it).

    The first worker to ask makes it into a folder beside all workers' own temporary folders
    and leaves the (pickled) result there; the others read that. Without xdist, it is simply
    made."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return make(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent  # this run's, holding popen-gw0, popen-gw1
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = shared / f"{name}.pickle"
        if made.exists():
            return pickle.loads(made.read_bytes())
        result = make(shared / name)
        made.write_bytes(pickle.dumps(result))
        return result


@pytest.fixture(scope="session")
def jane_build(tmp_path_factory) -> BuildResult:
    return once_per_run(
        tmp_path_factory,
        "jane-pack",
        lambda out: build_case(SAMPLES / "jane-smith", out, today=TODAY),
    )


@pytest.fixture(scope="session")
def jane_texts(jane_build) -> dict[str, str]:
    return {d.name: docx_text(jane_build.out_dir / d.template) for d in jane_build.documents}


@pytest.fixture(scope="session")
def jane_pack(jane_build) -> PdfReader:
    assert jane_build.pack is not None
    return PdfReader(jane_build.pack.path)


@pytest.fixture()
def case_copy(tmp_path) -> Path:
    """A writable copy of the Jane Smith sample, for tests that change the case."""
    target = tmp_path / "case"
    copy_sample(SAMPLES / "jane-smith", target)
    return target


LONGEST_FIRST = (
    "test_interview_pty.py",
    "test_kill.py",
    "test_web.py",
    "test_os_errors.py",
    "test_import_streaming.py",
    "test_hostile_text.py",
    "test_answers_used.py",
    "test_reuse.py",
    "test_lock.py",
    "test_served.py",
    "test_words_on_page.py",
    "test_convert_faults.py",
)
"""The test files that take longest (``pytest --durations=60``), longest first. With xdist each
file runs whole on one worker (``--dist loadfile``, so that module fixtures are made once), in
the order collected: starting these first lets the two workers finish together, rather than one
alone at the end with a long file. A file left off only starts later; nothing else depends on
this list."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist, the longest test files first (see LONGEST_FIRST); otherwise no change."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: order kept within
