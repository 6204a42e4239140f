"""Rebuilds reuse the PDF of every document whose content did not change (real LibreOffice)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pypdf import PdfReader

from harassment_pack import build
from harassment_pack.build import build_case
from harassment_pack.reuse import KEYS_FILE, context_key
from harassment_pack.served import ServedLeakError

from .conftest import SAMPLES, TODAY, copy_sample

ONLY = ["chronology", "evidence_schedule"]


def _build(case, out):
    converted: list[str] = []
    said: list[str] = []
    build_case(case, out, only=ONLY, today=TODAY, notify=said.append,
               progress=lambda _done, _total, name: converted.append(name))  # fmt: skip
    return converted, said


def test_unchanged_documents_are_not_converted_again(tmp_path):
    case = tmp_path / "case"
    copy_sample(SAMPLES / "minimal", case)
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


def _tags(node, reader: PdfReader, pages: dict) -> list:
    """A structure tree as plain data: each element's type, title, alt text, page and kids."""
    node = node.get_object()
    if not hasattr(node, "get"):
        return [int(node)]  # a marked-content id
    if node.get("/Type") == "/OBJR":
        return ["link"]
    page = node.raw_get("/Pg") if "/Pg" in node else None
    kids = node.get("/K", [])
    kids = kids if isinstance(kids, list) else [kids]
    return [
        str(node.get("/S")),
        str(node.get("/T", "")),
        str(node.get("/Alt", "")),
        pages.get(page.idnum) if page is not None else None,
        [_tags(kid, reader, pages) for kid in kids],
    ]


def _content(pdf) -> dict:
    """What a reader of the bundle gets: each page's text, the page labels, the outline with
    its targets, and the tag structure; not the bytes (LibreOffice stamps each PDF's time)."""
    reader = PdfReader(pdf)
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}

    def outline(items: list) -> list:
        number = reader.get_destination_page_number
        return [outline(i) if isinstance(i, list) else (i.title, number(i)) for i in items]

    return {
        "text": [page.extract_text() for page in reader.pages],
        "labels": reader.page_labels,
        "outline": outline(reader.outline),
        "tags": _tags(reader.trailer["/Root"]["/StructTreeRoot"]["/K"], reader, pages),
        "attachments": {name: data for name, data in reader.attachments.items()},
    }


def test_rebuild_after_one_changed_incident_converts_only_its_documents(tmp_path, monkeypatch):
    """The sample, one incident's summary changed: only the documents that show that incident
    are converted again (and read again by the served check), and both bundles read exactly as
    a clean build of the changed case."""
    case = tmp_path / "case"
    copy_sample(SAMPLES / "jane-smith", case)
    out = tmp_path / "out"
    checked: list[str] = []

    def document_hits(documents, items):
        checked.extend(docx.name for _title, docx in documents)
        return real_hits(documents, items)

    real_hits = build.document_hits
    monkeypatch.setattr(build, "document_hits", document_hits)
    first: list[str] = []
    build_case(case, out, today=TODAY, progress=lambda _d, _t, name: first.append(name))
    served = set(checked)
    assert {"claim_form.docx", "witness_statement.docx", "chronology.docx"} <= served
    checked.clear()
    path = case / "case.yaml"
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"(summary: >-\n\s+)", r"\1(changed) ", text, count=1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")

    again: list[str] = []
    said: list[str] = []
    rebuilt = build_case(case, out, today=TODAY, notify=said.append,
                         progress=lambda _d, _t, name: again.append(name))  # fmt: skip
    assert 0 < len(again) < len(first) / 2, again
    assert sorted(checked) == sorted(served & set(again)), checked
    assert f"Reusing the PDFs of {len(first) - len(again)} unchanged document(s)." in said
    for name in again:  # each document converted again shows the change
        pdf = (out / name).with_suffix(".pdf")
        assert "(changed)" in " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(pdf).pages
        )
    clean = build_case(case, tmp_path / "clean", today=TODAY)
    for ours, theirs in ((rebuilt.pack, clean.pack), (rebuilt.court_bundle, clean.court_bundle)):
        assert ours is not None and theirs is not None
        assert ours.entries == theirs.entries
        mine, fresh = _content(ours.path), _content(theirs.path)
        assert any("(changed)" in page for page in mine["text"])
        for aspect in ("text", "labels", "outline", "tags", "attachments"):
            assert mine[aspect] == fresh[aspect], aspect
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]

    # A new private detail is looked for in every served document again, unchanged ones too.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  private_details:\n", "  private_details:\n"
                                 "    - Westfield Gardens\n", 1), encoding="utf-8")  # fmt: skip
    checked.clear()
    with pytest.raises(ServedLeakError) as caught:
        build_case(case, out, today=TODAY)
    assert set(checked) == served
    assert any(hit.where.startswith("Claim form") and "paragraph" in hit.where
               for hit in caught.value.hits)  # fmt: skip
