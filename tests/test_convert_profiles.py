"""Reused LibreOffice profiles per case and conversion split across processes (real soffice).

A profile kept in the case folder saves every build the making of a new one, and a profile
seeded with the LibreOffice version saves it LibreOffice's graphics self-test; both must stay
private, never be shared by two soffice processes at once, and never be reused after a
conversion that did not finish.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from harassment_pack import pack
from harassment_pack.build import build_case
from harassment_pack.convert import (
    MAX_PROCESSES,
    PROFILES_DIRNAME,
    WORK_PREFIX,
    Conversion,
    convert_to_pdf,
    split_evenly,
)
from harassment_pack.errors import UserError

from .conftest import SAMPLES, TODAY, copy_sample


def _case(tmp_path: Path, name: str = "minimal") -> Path:
    case = tmp_path / "case"
    copy_sample(SAMPLES / name, case)
    return case


def _state(profile: Path) -> dict:
    return json.loads((profile / "harassment-pack.json").read_text(encoding="utf-8"))


def test_profile_is_kept_private_seeded_and_reused(tmp_path):
    case = _case(tmp_path)
    build_case(case, tmp_path / "out1", only=["chronology"], today=TODAY)
    root = case / PROFILES_DIRNAME
    profile = root / "0"
    assert root.stat().st_mode & 0o777 == 0o700
    assert profile.stat().st_mode & 0o777 == 0o700
    assert _state(profile)["in_use"] is False
    # Seeded with the version, LibreOffice skipped its start-up self-test (it logs each run).
    assert (profile / "user" / "registrymodifications.xcu").is_file()
    assert not (profile / "user" / "GraphicsRenderTests.log").exists()
    shutil.rmtree(profile / "user" / "pack", ignore_errors=True)  # a copied sample's profile
    sentinel = profile / "user" / "kept.txt"
    sentinel.write_text("this profile was used before")

    build_case(case, tmp_path / "out2", only=["chronology"], today=TODAY)
    assert sentinel.exists(), "the case's profile was made again instead of reused"
    # Nor did LibreOffice back its settings up on quitting (its safe mode's copies).
    assert not (profile / "user" / "pack").exists()
    assert len(PdfReader(tmp_path / "out2" / "chronology.pdf").pages) >= 1


def test_profile_held_by_another_build_is_not_shared(tmp_path):
    """Every slot locked (as by other builds of the case running now): a temporary profile."""
    case = _case(tmp_path)
    build_case(case, tmp_path / "out1", only=["chronology"], today=TODAY)
    root = case / PROFILES_DIRNAME
    sentinel = root / "0" / "user" / "kept.txt"
    sentinel.write_text("in use by another build")
    before = _state(root / "0")
    held = []
    for slot in range(MAX_PROCESSES):
        fd = os.open(root / f"{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.append(fd)
    try:
        build_case(case, tmp_path / "out2", only=["chronology"], today=TODAY)
    finally:
        for fd in held:
            os.close(fd)
    assert sentinel.exists() and _state(root / "0") == before
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["0"]
    assert len(PdfReader(tmp_path / "out2" / "chronology.pdf").pages) >= 1


def test_two_builds_of_one_case_at_once(tmp_path):
    case = _case(tmp_path)
    command = [sys.executable, "-m", "harassment_pack", "build", str(case), "--only",
               "chronology", "evidence_schedule", "-o"]  # fmt: skip
    runs = [
        subprocess.Popen([*command, str(tmp_path / f"out{n}")], stderr=subprocess.PIPE, text=True)
        for n in (1, 2)
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
    for n in (1, 2):
        for name in ("chronology.pdf", "evidence_schedule.pdf", "pack.pdf"):
            assert len(PdfReader(tmp_path / f"out{n}" / name).pages) >= 1
    for profile in (case / PROFILES_DIRNAME).iterdir():
        if profile.is_dir():
            assert _state(profile)["in_use"] is False


def test_documents_split_across_two_processes(tmp_path):
    case = _case(tmp_path, "jane-smith")
    built = build_case(case, tmp_path / "built", today=TODAY)
    docx = sorted(built.out_dir.glob("*.docx"))
    assert len(docx) >= 8
    seen: list[str] = []
    profiles = tmp_path / "profiles"
    pdfs = convert_to_pdf(
        docx,
        tmp_path / "out",
        profiles=profiles,
        processes=2,
        progress=lambda done, total, name: seen.append(f"{done}/{total} {name}"),
    )
    assert sorted(pdf.name for pdf in pdfs) == sorted(f.stem + ".pdf" for f in docx)
    for pdf in pdfs:
        assert pdf.stat().st_mode & 0o777 == 0o600
        assert len(PdfReader(pdf).pages) >= 1
    assert sorted(line.split(" ", 1)[1] for line in seen) == sorted(f.name for f in docx)
    assert [line.split(" ")[0] for line in seen] == [f"{n}/{len(docx)}" for n in
                                                    range(1, len(docx) + 1)]  # fmt: skip
    for slot in ("0", "1"):
        assert _state(profiles / slot)["in_use"] is False


def test_split_evenly_balances_by_size(tmp_path):
    files = []
    for name, size in (("a", 900), ("b", 500), ("c", 400), ("d", 100), ("e", 50)):
        path = tmp_path / f"{name}.docx"
        path.write_bytes(b"x" * size)
        files.append(path)
    groups = split_evenly(files, 2)
    assert [[p.stem for p in g] for g in groups] == [["a", "d"], ["b", "c", "e"]]
    assert split_evenly(files[:1], 3) == [[files[0]]]


def _soffice_using(profile: Path) -> list[int]:
    """Processes whose command line names ``profile`` (a soffice still running on it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(profile).encode() in command:
                found.append(int(entry.name))
    return found


def test_soffice_left_to_quit_while_the_bundles_are_made(tmp_path, monkeypatch):
    """The build goes on once every PDF is written; soffice quits meanwhile and the profile is
    kept, marked free. When the build fails after the conversion, every soffice is stopped,
    its profile discarded and its work folder removed."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    case = _case(tmp_path)
    lingered = []
    real_wait = Conversion.wait

    def wait(self):
        made = real_wait(self)
        lingered.append(self.linger)
        return made

    monkeypatch.setattr(Conversion, "wait", wait)
    build_case(case, tmp_path / "out1", only=["chronology", "evidence_schedule"], today=TODAY)
    profile = case / PROFILES_DIRNAME / "0"
    assert _state(profile)["in_use"] is False
    assert not _soffice_using(profile)
    assert not list(tmp_path.glob(f"{WORK_PREFIX}*"))
    sentinel = profile / "user" / "kept.txt"
    sentinel.write_text("kept")

    def fails(*_args, **_kwargs):
        raise UserError("the bundle could not be written")

    monkeypatch.setattr(pack, "assemble", fails)
    (case / "case.yaml").write_text(
        (case / "case.yaml").read_text(encoding="utf-8").replace("Nobody wants", "Nobody wanted"),
        encoding="utf-8",
    )
    with pytest.raises(UserError, match="could not be written"):
        build_case(case, tmp_path / "out1", only=["chronology", "evidence_schedule"], today=TODAY)
    assert not _soffice_using(profile)
    assert not list(tmp_path.glob(f"{WORK_PREFIX}*"))
    assert not sentinel.exists() or _state(profile)["in_use"] is False
    assert lingered == [True, True]  # a small case's build goes on once its PDFs are written
