"""Rebuilds reuse the PDF of every document whose content did not change (real LibreOffice)."""

from __future__ import annotations

import shutil

from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.reuse import KEYS_FILE

from .conftest import SAMPLES, TODAY

ONLY = ["chronology", "evidence_schedule"]


def _build(case, out):
    converted: list[str] = []
    said: list[str] = []
    build_case(case, out, only=ONLY, today=TODAY, notify=said.append,
               progress=lambda _done, _total, name: converted.append(name))  # fmt: skip
    return converted, said


def test_unchanged_documents_are_not_converted_again(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(SAMPLES / "minimal", case)
    out = tmp_path / "out"
    converted, _ = _build(case, out)
    assert sorted(converted) == ["chronology.docx", "evidence_schedule.docx"]
    assert (out / KEYS_FILE).stat().st_mode & 0o777 == 0o600
    stamps = {pdf.name: pdf.stat().st_mtime_ns for pdf in out.glob("*.pdf")}

    converted, said = _build(case, out)
    assert converted == []
    assert any("Reusing the PDFs of 2 unchanged" in line for line in said)
    assert stamps["chronology.pdf"] == (out / "chronology.pdf").stat().st_mtime_ns

    # A changed incident changes the chronology; the PDF then shows the new words.
    path = case / "case.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Nobody wants you here.", "Nobody at all wants you here."), encoding="utf-8")  # fmt: skip
    converted, _ = _build(case, out)
    assert "chronology.docx" in converted
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(out / "chronology.pdf").pages
    )
    assert "Nobody at all wants you here." in text

    # A PDF changed on disk is never reused.
    with (out / "evidence_schedule.pdf").open("ab") as handle:
        handle.write(b"\n% changed\n")
    converted, _ = _build(case, out)
    assert converted == ["evidence_schedule.docx"]
