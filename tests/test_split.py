"""A big chronology converted in parts, one LibreOffice process each, reads as one conversion.

The same chronology DOCX (long enough that each month starts a new page) is converted whole
and in three parts (``split.make_parts``, the real soffice, ``split.join``), and the two PDFs
are compared: the same number of pages, every row on the same page (parts are cut where a month
starts a new page anyway), the footer's "page N of T" counting
the joined pages at LibreOffice's own place, the outline, the title and language, and the tag
structure (``pdfinfo -struct``: the same elements with the same attributes, apart from the
heights and spacing that depend on where a page breaks).
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from harassment_pack import convert, pack, split
from harassment_pack.build import build_case
from harassment_pack.convert import convert_to_pdf
from harassment_pack.documents import chronology as chronology_document
from harassment_pack.pdf_tags import read_converted
from harassment_pack.split import join, make_parts

from .conftest import TODAY, many_incidents_case
from .structure import structure_problems

INCIDENTS = 450
LONG = 400
"""``NEW_PAGE_INCIDENTS`` in these tests: the 450 incidents (12 months) make a long chronology,
whose months after the first start new pages."""
PARTS = 3
FOOTER = re.compile("Harassment chronology \u2013 page (\\d+) of (\\d+)")
ROW = re.compile(r"^\s*(C\d+)\b", re.MULTILINE)
LAYOUT = ("/Height ", "/SpaceBefore ")
"""Structure attributes that depend on where a page breaks (a row cut by a page break, the
space above a heading at the top of a page)."""


@dataclass
class Converted:
    docx: Path
    whole: Path
    joined: Path
    parts: split.Parts
    part_pages: list[int]


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Converted:
    folder = tmp_path_factory.mktemp("split")
    out = folder / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chronology_document, "NEW_PAGE_INCIDENTS", LONG)
        build_case(
            many_incidents_case(folder, INCIDENTS, timedelta(hours=19)),
            out,
            only=["chronology"],
            today=TODAY,
        )
    cut = folder / "parts"
    cut.mkdir()
    parts = make_parts(out / "chronology.docx", PARTS, cut)
    assert parts is not None
    pdfs = convert_to_pdf(parts.docx, folder / "part-pdfs", processes=2)
    joined = folder / "joined.pdf"
    pages = join([read_converted(pdf) for pdf in pdfs], parts.footer, joined).pages
    assert pages == len(PdfReader(joined).pages)
    return Converted(
        out / "chronology.docx",
        out / "chronology.pdf",
        joined,
        parts,
        [len(PdfReader(pdf).pages) for pdf in pdfs],
    )


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def _lines(pdf: Path, index: int) -> list[tuple[float, float, str]]:
    """(x, baseline, text) of each piece of text on page ``index``, as drawn."""
    found: list[tuple[float, float, str]] = []

    def visit(text, _cm, tm, _font, _size) -> None:
        if text.strip():
            found.append((tm[4], tm[5], text))

    PdfReader(pdf).pages[index].extract_text(visitor_text=visit)
    return found


def test_parts_are_cut_where_a_month_starts_a_new_page_and_keep_the_title_once(converted):
    assert len(converted.parts.docx) == PARTS
    for index, part in enumerate(converted.parts.docx):
        with zipfile.ZipFile(part) as archive:
            body = archive.read(split.DOCUMENT_XML)
            footer = archive.read("word/footer1.xml")
        assert (b"Harassment chronology</w:t>" in body) == (index == 0)
        if index:  # a later part starts with its month's heading, which starts a new page
            first = body[body.index(b"<w:body>") + 8 :]
            assert first.startswith(b"<w:p>") or first.startswith(b"<w:p ")
            assert first.index(b'<w:pStyle w:val="Heading2"/>') < first.index(b"</w:p>")
            assert first.index(split.NEW_PAGE) < first.index(b"</w:p>")
        assert b'w:instr="PAGE"' not in footer and b"This is a draft" in footer
    assert converted.parts.footer.text(3, 40) == "Harassment chronology \u2013 page 3 of 40"


def test_every_row_is_on_the_same_page_as_in_one_conversion(converted):
    texts = _pages(converted.whole)
    whole = [ROW.findall(page) for page in texts]
    joined = [ROW.findall(page) for page in _pages(converted.joined)]
    assert len(whole) >= 30 and sum(map(len, whole)) == INCIDENTS
    # Parts begin where the document starts a new page anyway: no page is added or moved.
    assert len(joined) == len(whole) == sum(converted.part_pages)
    assert joined == whole
    months = [item.title for item in PdfReader(converted.whole).outline]
    assert len(months) == 12 and months[0] == "November 2025"
    tops = [page.strip().splitlines()[0] for page in texts]
    # Every month after the first starts a page (under its heading); the parts begin at two.
    assert [title for title in tops if title in months] == months[1:]
    for start in (sum(converted.part_pages[:n]) for n in range(1, PARTS)):
        assert tops[start] in months


def test_the_footer_counts_the_joined_pages_at_libreoffices_place(converted):
    pages = _pages(converted.joined)
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert FOOTER.findall(page) == [(str(number), str(total))], number
        assert "This is a draft prepared with harassment-pack" in page
    theirs = _lines(converted.whole, 1)
    footer_theirs = next(line for line in theirs if line[2].startswith("Harassment"))
    disclaimer = [line[1] for line in theirs if line[2].startswith("This is a draft")]
    for index in (1, converted.part_pages[0], total - 1):
        ours = _lines(converted.joined, index)
        footer_ours = next(line for line in ours if line[2].startswith("Harassment"))
        assert abs(footer_ours[1] - footer_theirs[1]) < 0.05  # the same baseline
        # The disclaimer above it stands where LibreOffice put it: the page holds as much.
        assert [line[1] for line in ours if line[2].startswith("This is a draft")] == disclaimer
    # Centred as LibreOffice centres it ("page 2 of NN" is as wide in both).
    assert len(str(total)) == len(str(len(_pages(converted.whole))))
    second = next(line for line in _lines(converted.joined, 1) if line[2].startswith("Harass"))
    assert abs(second[0] - footer_theirs[0]) < 0.5
    stamp = PdfReader(converted.joined).pages[0].get_contents().get_data()
    assert b"/Artifact <</Type /Pagination>> BDC" in stamp


def _struct(pdf: Path) -> list[str]:
    lines = subprocess.run(
        ["pdfinfo", "-struct", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return [line for line in lines if not line.strip().startswith(LAYOUT)]


def test_tags_outline_title_and_language_are_those_of_one_conversion(converted):
    assert _struct(converted.joined) == _struct(converted.whole)
    assert structure_problems(converted.joined) == []
    whole, joined = PdfReader(converted.whole), PdfReader(converted.joined)
    titles = [item.title for item in whole.outline]
    assert len(titles) >= 12 and [item.title for item in joined.outline] == titles
    pages = _pages(converted.joined)
    for item in joined.outline:
        assert item.title in pages[joined.get_destination_page_number(item)]
    assert joined.metadata.title == whole.metadata.title
    for key in ("/Lang", "/ViewerPreferences", "/MarkInfo"):
        assert joined.trailer["/Root"][key] == whole.trailer["/Root"][key]


def test_a_build_converts_a_big_chronology_in_parts(converted, tmp_path, monkeypatch):
    """With two processes and a chronology above the thresholds, the build cuts it, converts
    the parts side by side and joins them; the progress names the chronology once."""
    monkeypatch.setattr(chronology_document, "NEW_PAGE_INCIDENTS", LONG)
    monkeypatch.setattr(convert, "process_count", lambda documents, work=0: 2)
    monkeypatch.setattr(convert, "SPLIT_BYTES", 1)
    monkeypatch.setattr(convert, "part_count", lambda size, total, processes: PARTS)
    cuts = []
    real = convert.make_parts

    def make(docx, count, folder):
        made = real(docx, count, folder)
        cuts.append((docx.name, count, made and len(made.docx)))
        return made

    monkeypatch.setattr(convert, "make_parts", make)
    taken = []
    take_over = pack._take_over
    monkeypatch.setattr(pack, "_take_over", lambda found: taken.append(found) or take_over(found))
    seen: list[str] = []
    result = build_case(
        converted.docx.parent.parent / "case",
        tmp_path / "out",
        today=TODAY,
        progress=lambda done, total, name: seen.append(name),
    )
    assert cuts == [("chronology.docx", PARTS, PARTS)]
    assert sorted(seen) == sorted(d.template for d in result.documents)
    chronology = tmp_path / "out" / "chronology.pdf"
    assert _struct(chronology) == _struct(converted.whole)
    assert [FOOTER.findall(page) for page in _pages(chronology)] == [
        FOOTER.findall(page) for page in _pages(converted.joined)
    ]
    assert result.pack is not None and structure_problems(result.pack.path) == []
    assert oct(chronology.stat().st_mode & 0o777) == "0o600"
    # The pack is built on the joined chronology in memory (not read again): the same pages,
    # bookmarks and tags as the chronology.pdf written beside it.
    assert [joined.pages for joined in taken] == [len(PdfReader(chronology).pages)]
    bundle = PdfReader(result.pack.path)
    entry = next(e for e in result.pack.entries if "chronology" in e.title.lower())
    own = _pages(chronology)
    bundled = _pages(result.pack.path)[entry.page - 1 : entry.page - 1 + len(own)]
    stamp = re.compile(r"\s*Page \d+ of \d+\s*$")
    assert [stamp.sub("", page).rstrip() for page in bundled] == [p.rstrip() for p in own]
    mark = next(item for item in bundle.outline if not isinstance(item, list)
                and "chronology" in item.title.lower())  # fmt: skip
    sections = bundle.outline[bundle.outline.index(mark) + 1]
    months = [item.title for item in PdfReader(chronology).outline]
    assert [re.sub(r" \(p\. \d+\)$", "", item.title) for item in sections] == months
    for item in sections:
        number = int(re.search(r"\(p\. (\d+)\)$", item.title)[1])
        assert bundle.get_destination_page_number(item) == number - 1
        assert item.title.split(" (p.")[0] in _pages(result.pack.path)[number - 1]
    elements = [line.strip() for line in _struct(chronology)[1:]]
    tagged = [line.strip() for line in _struct(result.pack.path)]
    start = tagged.index(elements[0])
    assert tagged[start : start + len(elements)] == elements
    assert tagged[start - 1].startswith("Part") and "chronology" in tagged[start - 1].lower()


def test_only_a_document_bigger_than_its_share_is_cut():
    mb = 1_000_000
    assert split.part_count(int(15.7 * mb), int(21.1 * mb), 2) == 6  # parts of at most 3 MB
    assert split.part_count(int(4.7 * mb), int(6.4 * mb), 2) == 3  # half a process's share
    assert split.part_count(int(15.7 * mb), int(21.1 * mb), 1) == 1  # one core: no gain
    assert split.part_count(5 * mb, 20 * mb, 2) == 1  # not more than its share
    assert split.part_count(mb, mb, 2) == 1  # too small to pay for a part's start


def test_a_document_without_page_fields_or_new_pages_is_not_cut(converted, tmp_path):
    with zipfile.ZipFile(converted.docx) as archive:
        names = archive.namelist()
        data = {name: archive.read(name) for name in names}
    for change, name in (
        (lambda x: x.replace(b'w:instr="NUMPAGES"', b'w:instr="DATE"'), "word/footer1.xml"),
        (lambda x: x.replace(split.NEW_PAGE, b""), split.DOCUMENT_XML),  # a short chronology
    ):
        changed = tmp_path / "changed.docx"
        with zipfile.ZipFile(changed, "w") as copy:
            for item in names:
                copy.writestr(item, change(data[item]) if item == name else data[item])
        assert make_parts(changed, PARTS, tmp_path) is None


def test_each_big_document_gets_a_soffice_of_its_own(tmp_path):
    """A soffice keeps some memory of every document it converted: a big one (or a part)
    is converted by a process of its own, small ones share one."""
    files = []
    for name, size in (("big", split.SPLIT_BYTES), ("part", split.SPLIT_BYTES - 1),
                       ("a", 1000), ("b", 1000), ("c", split.SPLIT_BYTES - 1500)):  # fmt: skip
        path = tmp_path / f"{name}.docx"
        with path.open("wb") as handle:
            handle.truncate(size)  # not a zip: its size stands for its text's
        files.append(path)
    assert [[p.stem for p in batch] for batch in convert.batches(files)] == [
        ["big"],
        ["part"],
        ["a", "b"],
        ["c"],
    ]
