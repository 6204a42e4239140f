"""Rebuilds reuse the PDF of every document whose content did not change (real LibreOffice)."""

from __future__ import annotations

import shutil
from datetime import date

from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.reuse import KEYS_FILE, context_key

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
    stamps = {f.name: f.stat().st_mtime_ns for f in out.glob("*.*") if f.stem in ("chronology",
              "evidence_schedule")}  # fmt: skip

    converted, said = _build(case, out)
    assert converted == []
    assert any("Reusing the PDFs of 2 unchanged" in line for line in said)
    # Same context: neither rendered nor converted again.
    assert stamps == {name: (out / name).stat().st_mtime_ns for name in stamps}

    # A DOCX changed on disk is rendered again (and, its content being the same, not converted).
    with (out / "chronology.docx").open("ab") as handle:
        handle.write(b"\0")
    converted, _ = _build(case, out)
    assert converted == []
    assert (out / "chronology.docx").stat().st_mtime_ns != stamps["chronology.docx"]
    assert (out / "chronology.pdf").stat().st_mtime_ns == stamps["chronology.pdf"]

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


def test_context_key_sees_every_change_and_refuses_what_it_cannot_see(tmp_path):
    template = tmp_path / "t.docx"
    template.write_bytes(b"template one")
    context = {"incidents": [{"when": date(2026, 1, 2), "words": "Nobody wants you here."}]}
    key = context_key(template, context, "LO 7.4")
    assert key == context_key(template, {**context}, "LO 7.4")
    changed = {"incidents": [{"when": date(2026, 1, 3), "words": "Nobody wants you here."}]}
    assert context_key(template, changed, "LO 7.4") != key
    assert context_key(template, {"incidents": [{"when": "2026-01-02", "words": ""}]},
                       "LO 7.4") != key  # fmt: skip
    assert context_key(template, context, "LO 7.5") != key
    template.write_bytes(b"template two")
    assert context_key(template, context, "LO 7.4") != key
    assert context_key(template, {"picture": object()}, "LO 7.4") is None
