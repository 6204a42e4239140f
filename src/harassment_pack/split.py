"""A very long chronology converted in parts, one LibreOffice process each, and joined.

Why: LibreOffice lays a document out on one core, and a 10,000-incident chronology (about 850
pages of tables) is most of a big build's conversion: about a minute of CPU and 600 MB in one
soffice process. Cut into parts converted side by side, it takes the time of its longest part
on a machine with two cores, and each soffice holds a part, not the whole.

The parts are cut from the rendered DOCX itself (the full DOCX stays in ``out/`` as written):
the first part keeps the title and introduction, every part keeps the page setup. A part
begins only where the document starts a new page anyway (a paragraph with "page break before":
a long chronology's months, ``documents.chronology.NEW_PAGE_INCIDENTS``), so the joined pages
are those of converting the whole document at once; a document without such paragraphs is
converted whole. The footer's "page N of T" cannot come from LibreOffice (a part does not know
how many pages come before it or after it), so the parts are converted with that footer line
left blank, at its height, and the line is drawn on the joined pages, at LibreOffice's place,
in Helvetica (metrically the same as the Liberation Sans LibreOffice uses for Arial), as a
pagination artifact that screen readers skip, as LibreOffice marks its footers. The joined PDF
has one structure tree (the parts' elements in order under one /Document,
``pdf_tags.merge_structure``), the parts' outlines in order, and the first part's title,
language and viewer settings. The joined PDF stays in memory for the pack (``Joined``).
"""

from __future__ import annotations

import bisect
import html
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .files import write_private_with

if TYPE_CHECKING:  # pypdf is imported when a document is joined, not by every command
    from pypdf import PdfReader, PdfWriter

DOCUMENT_XML = "word/document.xml"
NEW_PAGE = b"<w:pageBreakBefore/>"
"""Where a part may begin: a paragraph that starts a new page (a long chronology's month)."""
_PARAGRAPH = re.compile(rb"<w:p[ >]")
_TABLE = re.compile(rb"<w:tbl>|</w:tbl>")
_FOOTER_LINE = re.compile(
    rb"<w:p>(<w:pPr>(?:(?!</w:pPr>).)*</w:pPr>)((?:(?!</w:p>).)*?)"
    rb'<w:fldSimple w:instr="PAGE">((?:(?!</w:p>).)*?)</w:fldSimple>((?:(?!</w:p>).)*?)'
    rb'<w:fldSimple w:instr="NUMPAGES">((?:(?!</w:p>).)*?)</w:fldSimple>((?:(?!</w:p>).)*?)</w:p>',
    re.S,
)
_TEXT = re.compile(rb"<w:t(?: [^>]*)?>([^<]*)</w:t>")
_SIZE = re.compile(rb'<w:sz w:val="(\d+)"/>')
_PAGE_SIZE = re.compile(rb'<w:pgSz w:w="(\d+)" w:h="(\d+)"')
_MARGINS = re.compile(rb'<w:pgMar w:top="\d+" w:right="(\d+)" w:bottom="\d+" w:left="(\d+)"')
FOOTER_BASELINE = 45.49
"""Points from the page's foot to the baseline of the footer's last line as LibreOffice lays
out the templates' footer (footer distance 720 twips, an 8-point line): measured, and checked
against a whole conversion by tests/test_split.py."""


@dataclass(frozen=True)
class FooterLine:
    """The footer's '<title> \u2013 page N of T' line, drawn on the joined pages."""

    before: str
    between: str
    after: str
    size: float
    centre: float
    """Points from the page's left edge to the middle of the text column."""

    def text(self, page: int, total: int) -> str:
        return f"{self.before}{page}{self.between}{total}{self.after}"


@dataclass(frozen=True)
class Parts:
    """A document's parts, in order, and the footer line to draw on the joined pages."""

    docx: list[Path]
    footer: FooterLine


def xml_size(docx: Path) -> int:
    """The size of a DOCX's document text: what LibreOffice's time to convert it follows
    (closely: 15.7 MB of chronology and 5.4 MB of witness statement took 56 and 19.5 CPU s)."""
    try:
        with zipfile.ZipFile(docx) as archive:
            return archive.getinfo(DOCUMENT_XML).file_size
    except (OSError, KeyError, zipfile.BadZipFile):
        return Path(docx).stat().st_size


def _footer(archive: zipfile.ZipFile) -> tuple[str, bytes, bytes, bytes] | None:
    """(footer part's name, its XML, the number line's XML, the blank line replacing it)."""
    for name in archive.namelist():
        if not re.fullmatch(r"word/footer\d+\.xml", name):
            continue
        xml = archive.read(name)
        line = _FOOTER_LINE.search(xml)
        if line is None:
            continue
        size = _SIZE.search(line[0])
        run_size = b'<w:rPr><w:sz w:val="%s"/></w:rPr>' % (size[1] if size else b"16")
        # The line keeps its height (a zero-width space in the number's size: LibreOffice
        # gives a line of spaces the paragraph's own, larger, size): the pages hold as much
        # as when the document is converted whole.
        properties = line[1].replace(b"</w:pPr>", run_size + b"</w:pPr>")
        blank = b"<w:p>%s<w:r>%s<w:t>\xe2\x80\x8b</w:t></w:r></w:p>" % (
            properties,
            run_size,
        )
        return name, xml, line[0], blank
    return None


def _texts(xml: bytes) -> str:
    return html.unescape(b"".join(_TEXT.findall(xml)).decode("utf-8"))


def _starts(xml: bytes, body: int, end: int) -> list[int]:
    """Where each paragraph that starts a new page begins, outside tables."""
    tables = [(m.start(), m[0] == b"<w:tbl>") for m in _TABLE.finditer(xml, body, end)]
    depth_at, depth = [], 0
    for _position, opens in tables:
        depth += 1 if opens else -1
        depth_at.append(depth)
    positions = [position for position, _opens in tables]
    starts = []
    at = xml.find(NEW_PAGE, body, end)
    while at >= 0:
        paragraph = max(
            (m.start() for m in _PARAGRAPH.finditer(xml, max(body, at - 400), at)), default=-1
        )
        index = bisect.bisect_left(positions, paragraph) - 1
        if paragraph > body and (index < 0 or depth_at[index] == 0):
            starts.append(paragraph)
        at = xml.find(NEW_PAGE, at + len(NEW_PAGE), end)
    return starts


def make_parts(docx: Path, count: int, folder: Path) -> Parts | None:
    """Cut ``docx`` into up to ``count`` parts of about the same size where it starts new pages,
    written into ``folder`` as ``<stem>.part-N.docx``; None when it cannot be cut (no footer
    line with page fields, fewer new pages than parts, an unexpected layout)."""
    with zipfile.ZipFile(docx) as archive:
        xml = archive.read(DOCUMENT_XML)
        footer = _footer(archive)
        if footer is None:
            return None
        body = xml.find(b">", xml.find(b"<w:body")) + 1
        end = xml.rfind(b"<w:sectPr")
        page, margins = _PAGE_SIZE.search(xml, end), _MARGINS.search(xml, end)
        if body <= 0 or end < body or page is None or margins is None:
            return None
        starts = _starts(xml, body, end)
        if count < 2 or len(starts) < count:
            return None
        # Parts of about the same size: a part ends at the new page nearest its share.
        cuts = []
        for share in range(1, count):
            goal = body + (end - body) * share / count
            nearest = min(starts, key=lambda start: abs(start - goal))
            if nearest not in cuts and nearest > (cuts[-1] if cuts else starts[0] - 1):
                cuts.append(nearest)
        if not cuts:
            return None
        name, footer_xml, line, blank = footer
        blanked = footer_xml.replace(line, blank, 1)
        bounds = [body, *cuts, end]
        made = []
        for index in range(len(bounds) - 1):
            # The first part from the start of the body; the others from their new page.
            piece = xml[: bounds[0]] + xml[bounds[index] : bounds[index + 1]] + xml[end:]
            path = folder / f"{Path(docx).stem}.part-{index + 1}.docx"
            write_private_with(
                path, lambda handle, piece=piece: _copy_with(archive, handle, piece, name, blanked)
            )
            made.append(path)
    pieces = _FOOTER_LINE.match(line)
    assert pieces is not None
    size = _SIZE.search(line)
    width = int(page[1]) / 20
    right, left = (int(value) / 20 for value in margins.groups())
    return Parts(
        made,
        FooterLine(
            before=_texts(pieces[2]),
            between=_texts(pieces[4]),
            after=_texts(pieces[6]),
            size=int(size[1]) / 2 if size else 8.0,
            centre=(left + width - right) / 2,
        ),
    )


def _copy_with(
    archive: zipfile.ZipFile, handle, document: bytes, footer_name: str, footer: bytes
) -> None:
    """Write a copy of ``archive`` with its document text and footer replaced."""
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
        for info in archive.infolist():
            if info.filename == DOCUMENT_XML:
                data = document
            elif info.filename == footer_name:
                data = footer
            else:
                data = archive.read(info)
            copy.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def part_count(size: int, total: int, processes: int) -> int:
    """How many parts a document of ``size`` (``xml_size``) should be cut into, when the build's
    ``total`` work is shared by ``processes``: none (1) unless it is more than one process's
    share; then pieces of about half a share, and of at most ``PART_BYTES``."""
    if processes < 2 or size < SPLIT_BYTES or size * processes <= total:
        return 1
    return min(MAX_PARTS, math.ceil(size / min(PART_BYTES, total / (2 * processes))))


MAX_PARTS = 12
SPLIT_BYTES = 2_000_000
"""Documents with less text than this (about 1,300 chronology rows, 7 CPU s of LibreOffice)
are never cut: a part's start and the join would cost more than they save."""
PART_BYTES = 3_000_000
"""At most this much text in a part (about 2,000 chronology rows): the memory of the soffice
converting it grows with it (about 290 MB for 3,000 rows, 630 MB for 10,000)."""


@dataclass
class Joined:
    """A joined document as ``join`` wrote it, kept in memory: one bundle is built on it
    (``pack.assemble``) instead of reading the PDF again, which for a 10,000-row chronology
    meant parsing and copying its 85,000 structure objects a second time (about 5 CPU s)."""

    writer: PdfWriter
    pages: int


def join(parts: Sequence[PdfReader], footer: FooterLine, out: Path) -> Joined:
    """Join the parts' PDFs (read with ``pdf_tags.read_converted``) into ``out`` (0600,
    atomically) with the footer line drawn on every page."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, FloatObject, NameObject, NullObject, TextStringObject
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from .pdf_tags import TaggedPart, helvetica, merge_structure, stamp_text

    writer = PdfWriter()
    tagged = []
    for reader in parts:
        tagged.append(TaggedPart(len(writer.pages), len(reader.pages), "", reader))
        writer.append(reader, import_outline=True)
    first = parts[0].trailer["/Root"]
    language = str(first.get("/Lang", "en-GB"))
    merge_structure(writer, tagged, language, joined=True)
    total = len(writer.pages)
    font = helvetica(writer)
    for index in range(total):
        text = footer.text(index + 1, total)
        width = stringWidth(text, "Helvetica", footer.size)
        stamp_text(writer, index, text, x=footer.centre - width / 2, y=FOOTER_BASELINE,
                   size=footer.size, font_ref=font)  # fmt: skip
    catalog = writer._root_object
    catalog[NameObject("/Lang")] = TextStringObject(language)
    if "/ViewerPreferences" in first:
        catalog[NameObject("/ViewerPreferences")] = first["/ViewerPreferences"].clone(writer)
    catalog[NameObject("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, NameObject("/XYZ"), NullObject(), NullObject(),
         FloatObject(0)]
    )  # fmt: skip
    if parts[0].metadata:
        writer.add_metadata(dict(parts[0].metadata))
    write_private_with(out, writer.write)
    writer._id_translated.clear()  # the parts' readers are gone: their ids may be reused
    return Joined(writer, total)
