"""The Jane Smith pack, read back with pypdf: pages, numbers, bookmarks, links, zoom, exhibits."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import Destination

from harassment_pack.case import load_case

from .conftest import SAMPLES

CASE = load_case(SAMPLES / "jane-smith")


def _page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def test_page_count_is_cover_index_documents_and_exhibits(jane_build, jane_pack):
    document_pages = sum(
        len(PdfReader(jane_build.out_dir / f"{d.name}.pdf").pages) for d in jane_build.documents
    )
    # One page per screenshot; the chat export's header page, then its text (one page here).
    exhibit_pages = len(CASE.evidence) + 1
    assert len(jane_pack.pages) == 1 + 1 + document_pages + exhibit_pages
    assert jane_build.pack.page_count == len(jane_pack.pages)


def test_every_page_carries_its_computer_page_number(jane_pack):
    total = len(jane_pack.pages)
    for number, text in enumerate(_page_texts(jane_pack), start=1):
        assert f"Page {number} of {total}" in text, f"page {number}"
    labels = jane_pack.page_labels
    assert labels[0] == "1" and labels[-1] == str(total)


def test_bookmarks_point_at_each_document_and_end_with_its_page(jane_build, jane_pack):
    outline = jane_pack.outline
    top = [item for item in outline if isinstance(item, Destination)]
    titles = [item.title for item in top]
    expected = ["Cover", "Index"] + [d.title for d in jane_build.documents] + ["Exhibits"]
    assert [t.rsplit(" (p. ", 1)[0] for t in titles] == expected
    texts = _page_texts(jane_pack)

    def check(items) -> int:
        count = 0
        for item in items:
            if isinstance(item, list):
                count += check(item)
                continue
            page = jane_pack.get_destination_page_number(item) + 1
            assert item.title.endswith(f"(p. {page})"), item.title
            count += 1
        return count

    assert check(outline) > len(top)  # sections of documents are bookmarked too
    witness = outline[outline.index(top[3]) + 1]
    section = next(i for i in witness if i.title.startswith("Statement of truth"))
    assert "Statement of truth" in texts[jane_pack.get_destination_page_number(section)]
    children = outline[outline.index(top[-1]) + 1]
    assert len(children) == len(CASE.evidence)
    for child, item in zip(children, CASE.evidence, strict=True):
        page = jane_pack.get_destination_page_number(child)
        assert f"Exhibit {item.label}" in texts[page]
        assert item.sha256 in texts[page].replace("\n", "")


def test_index_lists_documents_with_links_to_their_first_page(jane_build, jane_pack):
    index = jane_pack.pages[1]
    text = index.extract_text()
    assert "Index" in text
    links = [a.get_object() for a in index.get("/Annots", [])]
    targets = []
    for link in links:
        assert link["/Subtype"] == "/Link"
        page_ref = link["/Dest"][0]
        targets.append(jane_pack.get_page_number(page_ref.get_object()) + 1)
    entries = jane_build.pack.entries
    document_entries = [e for e in entries if e.title != "Exhibits"]
    assert targets[: len(document_entries)] == [e.page for e in document_entries]
    for entry in document_entries:
        assert entry.title in text and str(entry.page) in text
    # The first page of each document is that document (its own footer names it).
    texts = _page_texts(jane_pack)
    for document, entry in zip(jane_build.documents, document_entries, strict=True):
        assert "page 1 of" in texts[entry.page - 1], document.name


def test_opens_at_100_percent_with_metadata(jane_pack):
    action = jane_pack.trailer["/Root"]["/OpenAction"]
    assert action[1] == "/XYZ" and float(action[4]) == 1.0
    assert jane_pack.get_page_number(action[0].get_object()) == 0
    meta = jane_pack.metadata
    assert "Jane Smith" in meta.title and "Mark Davies" in meta.title
    assert meta.author == "Jane Smith"


def test_manifest_of_hashes_is_attached(jane_pack):
    manifest = json.loads(jane_pack.attachments["manifest.json"][0])
    assert [e["sha256"] for e in manifest["exhibits"]] == [e.sha256 for e in CASE.evidence]


def test_text_is_searchable_and_cover_is_first(jane_pack):
    cover = jane_pack.pages[0].extract_text()
    assert "Jane Smith" in cover and "solicitor" in cover
    body = "".join(_page_texts(jane_pack))
    assert "Nobody will ever put up with you" in body


def test_landscape_screenshot_is_on_a_landscape_page(jane_build, jane_pack):
    from PIL import Image

    exhibit_pages = jane_build.pack.entries[-1].children
    shapes = set()
    for item, entry in zip(CASE.evidence, exhibit_pages, strict=True):
        if item.media_type != "image/png":
            continue
        with Image.open(SAMPLES / "jane-smith" / item.file) as image:
            wide = image.width > image.height
        shapes.add(wide)
        assert entry.title.startswith(f"Exhibit {item.label} ")
        box = jane_pack.pages[entry.page - 1].mediabox
        assert (box.width > box.height) == wide, item.label
    assert shapes == {True, False}, "the sample should have both shapes of screenshot"


def test_pack_pages_are_a4_and_images_at_most_300_dpi(jane_build):
    listing = subprocess.run(
        ["pdfimages", "-list", str(jane_build.pack.path)], capture_output=True, text=True,
        check=True,
    ).stdout.splitlines()[2:]  # fmt: skip
    assert listing, "no images in the pack"
    for line in listing:
        columns = line.split()
        x_ppi, y_ppi = int(columns[-4]), int(columns[-3])
        assert x_ppi <= 301 and y_ppi <= 301, line


def test_text_exhibit_prints_the_cited_lines_with_line_numbers(jane_build, jane_pack):
    export = CASE.evidence[0]
    assert export.media_type == "text/plain"
    first = jane_build.pack.entries[-1].children[0].page  # its header page
    text = jane_pack.pages[first].extract_text()  # the page after the header
    assert f"Exhibit {export.label}: lines cited from" in text
    lines = (SAMPLES / "jane-smith" / export.file).read_text(encoding="utf-8").splitlines()
    assert lines[1][:40] in text  # line 2, cited by C1
    assert lines[11][:40] not in text  # line 12, far from any cited line
    assert "lines 9\u201318 not printed" in " ".join(text.split())
    attached = jane_pack.attachments[f"{export.label.replace('/', '-')}{Path(export.file).suffix}"]
    assert attached[0] == (SAMPLES / "jane-smith" / export.file).read_bytes()


def test_court_bundle_leaves_out_private_letters_and_advice(jane_build):
    bundle = jane_build.court_bundle
    assert bundle is not None and bundle.path.name == "court-bundle.pdf"
    titles = [entry.title for entry in bundle.entries]
    from harassment_pack.build import COURT_BUNDLE_CLOSING, COURT_BUNDLE_ORDER

    court = {d.name: d.title for d in jane_build.documents if d.for_court}
    assert titles == [
        *(court[n] for n in COURT_BUNDLE_ORDER if n in court),
        "Exhibits",
        *(court[n] for n in COURT_BUNDLE_CLOSING if n in court),
    ]
    assert not {"Report to Ofcom about the platform", "Next steps and support"} & set(titles)
    reader = PdfReader(bundle.path)
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert CASE.applicant.phone not in text and CASE.applicant.email not in text
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text
    assert "Court bundle" in reader.metadata.title
    cover = PdfReader(jane_build.pack.path).pages[0].extract_text()
    assert "For the court, use court-bundle.pdf" in " ".join(cover.split())


def test_exhibit_pages_say_which_statement_they_belong_to(jane_build, jane_pack):
    first = jane_build.pack.entries[-1].children[1]
    text = " ".join(jane_pack.pages[first.page - 1].extract_text().split())
    expected = "This is the exhibit marked \u201cJS/2\u201d referred to in the witness statement"
    assert f"{expected} of Jane Smith." in text
