"""Assemble one PDF bundle that follows the judiciary's electronic bundle guidance (2021).

Cover, then an index whose entries link to each document and give its first page; the documents;
then the exhibits, each headed by its label. Every page carries a computer-generated page number
equal to its PDF page index (cover = 1), every document and exhibit has a bookmark ending in its
page number, the PDF opens at 100% zoom, and a JSON manifest of the exhibits' hashes is attached.

The front matter is drawn with reportlab after conversion, when page counts are known; page
numbers are a few bytes of PDF appended to each page's content, which is fast and keeps the file
small (a full-page overlay per page doubled the size).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    FloatObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .errors import UserError
from .evidence import TEXT_TYPES
from .files import write_private_with, write_scratch
from .ocr import Line, OcrGate, draw_invisible_text, find_tesseract, recognise
from .pdf_tags import TaggedPart, helvetica, merge_structure, read_converted, stamp_text
from .pictures import Embedded, Picture, decoded, encoded, probe, stored, target_size
from .split import Joined

LANGUAGE = "en-GB"

if TYPE_CHECKING:
    from PIL import Image

OcrLine = tuple[str, tuple[int, int, int, int]]
"""A line read from a picture and its box (left, top, width, height) in the picture's pixels."""

OCR_CACHE_DIRNAME = ".ocr-cache"
"""In the case folder: what tesseract read, shared by every output folder of the case."""
_SHA256 = re.compile(r"[0-9a-f]{64}")
MARGIN = 56  # points (about 2 cm)
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/heic", "image/bmp"}

_FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
]  # fmt: skip


@dataclass
class PackDocument:
    title: str
    pdf: Path
    date: str = ""
    """The document's date as the index shows it (the day it was prepared)."""
    joined: Joined | None = None
    """The document as ``split.join`` wrote it, still in memory: the bundle is built on it
    instead of reading ``pdf`` again (its pages and tag structure are taken as they are). Only
    one bundle can: it becomes that bundle's PDF."""


@dataclass
class PackExhibit:
    label: str
    description: str
    captured: str
    incidents: str
    sha256: str
    file: Path
    media_type: str
    sensitive: bool = False
    date: str = ""
    """The day the exhibit was captured, for the index."""
    intro: str = ""
    """'This is the exhibit marked "JS/1" referred to in the witness statement of …'."""
    cited_lines: tuple[int, ...] = ()
    """Line numbers of a text exhibit that the documents cite (imported messages)."""

    fingerprint: str = ""
    """What the hash shows: 'matches the file registered on 3 July 2026 (SHA-256 …)'."""
    redactions: tuple[tuple[int, int, int, int], ...] = ()
    """Boxes (left, top, width, height in the upright picture's pixels) made solid black before
    the picture is read or embedded: set only for the served copy."""

    @property
    def attachment_name(self) -> str:
        """The name the complete file is attached under: 'JS-1.txt'.

        The label, not the file's name: the court bundle is served, and a name can say more
        than the exhibit should.
        """
        return f"{self.label.replace('/', '-')}{self.file.suffix}"


@dataclass
class PackEntry:
    """One index line: what it is and the first page it starts on (1-based)."""

    title: str
    page: int
    children: list[PackEntry] = field(default_factory=list)
    date: str = ""


@dataclass
class PackResult:
    path: Path
    page_count: int
    entries: list[PackEntry]


def _fonts() -> tuple[str, str]:
    """A Unicode TrueType font for names and descriptions; Helvetica only as a last resort."""
    for regular, bold in _FONT_CANDIDATES:
        if Path(regular).is_file() and Path(bold).is_file():
            if "PackSans" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("PackSans", regular))
                pdfmetrics.registerFont(TTFont("PackSans-Bold", bold))
            return "PackSans", "PackSans-Bold"
    return "Helvetica", "Helvetica-Bold"


# --------------------------------------------------------------------------- front matter


def _front_matter(
    title: str,
    subtitle: list[str],
    notice: str,
    entries: list[PackEntry],
    index_pages: int,
    about: Sequence[str] = (),
) -> tuple[bytes, list[tuple[int, tuple[float, float, float, float], int]]]:
    """Cover and index pages; returns the PDF and the link boxes (page, rect, target page).

    The cover centres the title and the short ``subtitle`` lines; ``about`` paragraphs (what is
    in the pack and what to do next) are set left-aligned at a reading width below them, as a
    centred block of several lines is hard to read.
    """
    regular, bold = _fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    width, height = A4
    pdf.setTitle(title)

    # Cover.
    y = height - 200
    pdf.setFont(bold, 22)
    for line in simpleSplit(title, bold, 22, width - 2 * MARGIN):
        pdf.drawCentredString(width / 2, y, line)
        y -= 30
    pdf.setFont(regular, 13)
    y -= 10
    for line in subtitle:
        for part in simpleSplit(line, regular, 13, width - 2 * MARGIN):
            pdf.drawCentredString(width / 2, y, part)
            y -= 20
    y -= 16
    left = MARGIN + COVER_INDENT
    pdf.setFont(regular, COVER_SIZE)
    for paragraph in about:
        for part in simpleSplit(paragraph, regular, COVER_SIZE, width - 2 * left):
            pdf.drawString(left, y, part)
            y -= COVER_LINE
        y -= COVER_LINE / 2
    pdf.setFont(regular, 10)
    y = 170
    for line in simpleSplit(notice, regular, 10, width - 2 * MARGIN - 20):
        pdf.drawCentredString(width / 2, y, line)
        y -= 14
    pdf.showPage()

    # Index: title (wrapped, never cut), date, page.
    links = []
    page_index = 1
    for number, rows in enumerate(_index_layout(entries)):
        y = height - MARGIN - 20
        pdf.setFont(bold, 16)
        pdf.drawString(MARGIN, y, "Index" if number == 0 else "Index (continued)")
        y -= 28
        pdf.setFont(bold, 10)
        pdf.drawString(MARGIN, y, "Document")
        pdf.drawString(width - MARGIN - INDEX_DATE_WIDTH - 40, y, "Date")
        pdf.drawRightString(width - MARGIN, y, "Page")
        y -= 18
        for entry, depth, lines in rows:
            font, size = (regular, 10.5) if depth else (bold, 11)
            indent = MARGIN + 18 * depth
            top = y
            pdf.setFillColorRGB(0.05, 0.2, 0.55)
            pdf.setFont(font, size)
            for line in lines:
                pdf.drawString(indent, y, line)
                y -= INDEX_LINE
            pdf.setFillColorRGB(0, 0, 0)
            pdf.setFont(regular, 9.5)
            pdf.drawString(width - MARGIN - INDEX_DATE_WIDTH - 40, top, entry.date)
            pdf.setFont(font, size)
            pdf.drawRightString(width - MARGIN, top, str(entry.page))
            links.append((page_index, (indent, y + INDEX_LINE - 3, width - MARGIN, top + size),
                          entry.page))  # fmt: skip
            y -= INDEX_GAP if depth == 0 else INDEX_GAP / 2
        pdf.showPage()
        page_index += 1
    if page_index - 1 != index_pages:
        raise AssertionError("index page estimate is wrong")  # _index_pages keeps them equal
    pdf.save()
    return buffer.getvalue(), links


COVER_INDENT = 24.0
COVER_SIZE = 11.5
COVER_LINE = 16.0
"""The cover's left-aligned paragraphs: about 75 characters a line, set a little inside the
margins."""
INDEX_LINE = 13.0
INDEX_GAP = 6.0
INDEX_DATE_WIDTH = 100.0
INDEX_HEIGHT = A4[1] - 2 * MARGIN - 70
"""Room for index rows on one page, below the heading and the column titles."""


def _index_layout(entries: list[PackEntry]) -> list[list[tuple[PackEntry, int, list[str]]]]:
    """Index rows grouped by page: each entry with its depth and its title wrapped to lines.

    Long descriptions wrap at word boundaries instead of being cut off; the number of index
    pages follows from the wrapped heights, so it is known before any page number is.
    """
    regular, bold = _fonts()
    width = A4[0] - 2 * MARGIN - INDEX_DATE_WIDTH - 60
    pages: list[list[tuple[PackEntry, int, list[str]]]] = [[]]
    room = INDEX_HEIGHT
    flat = [pair for entry in entries for pair in [(entry, 0), *((c, 1) for c in entry.children)]]
    for entry, depth in flat:
        font, size = (regular, 10.5) if depth else (bold, 11)
        lines = simpleSplit(entry.title, font, size, width - 18 * depth) or [""]
        need = INDEX_LINE * len(lines) + (INDEX_GAP if depth == 0 else INDEX_GAP / 2)
        if need > room and pages[-1]:
            pages.append([])
            room = INDEX_HEIGHT
        pages[-1].append((entry, depth, lines))
        room -= need
    return pages


def _index_pages(entries: list[PackEntry]) -> int:
    return len(_index_layout(entries))


# --------------------------------------------------------------------------- exhibits


@dataclass
class _ExhibitLayout:
    """Where everything on an exhibit's first page goes, worked out from file headers alone."""

    exhibit: PackExhibit
    pagesize: tuple[float, float]
    header: list[str]
    picture: Picture | None = None
    size: tuple[int, int] = (0, 0)
    """Pixels the picture is embedded and read by OCR at (at most MAX_DPI where drawn)."""
    box: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Image position: x, top and points per pixel."""
    note: str = ""


def _layout(exhibit: PackExhibit, include_sensitive: bool) -> _ExhibitLayout:
    """Decide the page: orientation by the image's shape, header lines, image box or a note."""
    regular, _ = _fonts()
    picture = None
    note = ""
    if exhibit.sensitive and not include_sensitive:
        note = (
            "Not reproduced in this bundle: this file is marked sensitive (for example an "
            "intimate image). It is described here and identified by its fingerprint, and can "
            "be produced to the court separately if the court directs."
        )
    elif exhibit.media_type in IMAGE_TYPES:
        picture = probe(exhibit.file, exhibit.media_type, exhibit.label)
    elif exhibit.redactions:
        raise UserError(
            f"exhibit {exhibit.label}: redaction boxes work on pictures only; for this "
            f"{exhibit.media_type} file add a redacted screenshot as a separate exhibit and mark "
            "this one sensitive"
        )
    elif exhibit.media_type in TEXT_TYPES:
        shown = (
            "the lines the documents cite, each with the lines around it"
            if (exhibit.cited_lines)
            else "the file"
        )
        note = (
            f"On the next pages: {shown}, exactly as saved, with the file's own line numbers in "
            "the margin. The complete file, unchanged, is attached to this PDF as "
            f"\u201c{exhibit.attachment_name}\u201d (open the attachments panel of your PDF "
            "reader); its SHA-256 fingerprint is above."
        )
    elif exhibit.media_type != "application/pdf":
        note = (
            "Produced separately: this file (for example a video or audio recording) cannot be "
            "shown on paper. Its fingerprint below identifies it."
        )
    pagesize = landscape(A4) if picture is not None and picture.width > picture.height else A4
    width, height = pagesize
    header = []
    for line in (
        *([exhibit.intro] if exhibit.intro else []),
        exhibit.description,
        f"Captured: {exhibit.captured}    Incidents: {exhibit.incidents}",
        f"Fingerprint: {exhibit.fingerprint or 'SHA-256 ' + exhibit.sha256}",
        *(
            [
                f"{len(exhibit.redactions)} area(s) blacked out in this copy; the original is "
                "kept unchanged."
            ]
            if exhibit.redactions
            else []
        ),
    ):
        header.extend(simpleSplit(line, regular, 9.5, width - 2 * MARGIN))
    layout = _ExhibitLayout(exhibit, pagesize, header, picture=picture, note=note)
    if picture is not None:
        top = height - MARGIN - 18 - 12 * len(header) - 18
        box_w, box_h = width - 2 * MARGIN, top - MARGIN
        scale = min(box_w / picture.width, box_h / picture.height)
        draw_w, draw_h = picture.width * scale, picture.height * scale
        layout.size = target_size(picture, draw_w, draw_h)
        layout.box = (MARGIN + (box_w - draw_w) / 2, top, draw_w / layout.size[0])
    return layout


def _ocr_cache_file(layout: _ExhibitLayout, cache_dir: Path) -> Path:
    """Where what tesseract read is kept: by the evidence's SHA-256 and the pixel size read.

    The registered fingerprint names the exact file (a changed file is refused before a build),
    so nothing has to be decoded or hashed again to find the cached text.
    """
    fingerprint = layout.exhibit.sha256
    if not _SHA256.fullmatch(fingerprint):
        fingerprint = hashlib.sha256(layout.exhibit.file.read_bytes()).hexdigest()
    width, height = layout.size
    boxes = layout.exhibit.redactions
    redacted = f"-r{hashlib.sha256(repr(boxes).encode()).hexdigest()[:16]}" if boxes else ""
    return cache_dir / f"{fingerprint}-{width}x{height}{redacted}.tsv"


def _pixels(layout: _ExhibitLayout) -> Image.Image:
    """The picture's pixels at the size embedded, with any redaction boxes solid black.

    The boxes are drawn on the upright picture at full size, before it is scaled, so what is
    hidden is hidden from OCR and from the embedded image alike; only pixels go on, never the
    file's metadata.
    """
    from PIL import Image, ImageDraw

    picture = layout.picture
    assert picture is not None
    label = layout.exhibit.label
    if not layout.exhibit.redactions:
        return decoded(picture, layout.size, label)
    image = decoded(picture, (picture.width, picture.height), label)
    draw = ImageDraw.Draw(image)
    for left, top, width, height in layout.exhibit.redactions:
        if left >= image.width or top >= image.height:
            raise UserError(
                f"exhibit {label}: the redaction box {left},{top},{width},{height} is outside "
                f"the picture ({image.width} by {image.height} pixels); correct it in case.yaml"
            )
        draw.rectangle((left, top, left + width - 1, top + height - 1), fill=0)
    if image.size != layout.size:
        image = image.resize(layout.size, Image.Resampling.LANCZOS)
    return image


def _in_original(layout: _ExhibitLayout, lines: list[Line]) -> list[OcrLine]:
    """OCR lines with their boxes in the upright picture's own pixels (what a redaction names)."""
    if layout.picture is None:
        return []
    scale = layout.picture.width / layout.size[0]
    return [
        (line.text, (int(line.left * scale), int(line.top * scale),
                     round(line.width * scale) + 1, round(line.height * scale) + 1))
        for line in lines
    ]  # fmt: skip


def _read_picture(layout: _ExhibitLayout, cache_dir: Path, gate: OcrGate) -> list[Line]:
    """OCR one picture (runs in a worker thread): from the cache, the file, or its pixels."""
    picture = layout.picture
    assert picture is not None
    cache = _ocr_cache_file(layout, cache_dir)
    if cache.is_file():
        return recognise(picture.path, cache)
    as_stored = not picture.turned and layout.size == (picture.width, picture.height)
    with gate.slot():
        if (
            as_stored
            and picture.media_type in ("image/png", "image/jpeg")
            and not layout.exhibit.redactions
        ):
            return recognise(picture.path, cache)  # tesseract opens the file itself
        return recognise(_pixels(layout), cache)


def _draw_first_page(pdf: canvas.Canvas, layout: _ExhibitLayout, lines: list[Line]) -> None:
    """One page: the exhibit header, the invisible OCR text over the picture's box, or a note."""
    regular, bold = _fonts()
    width, height = layout.pagesize
    pdf.setPageSize(layout.pagesize)
    y = height - MARGIN
    pdf.setFont(bold, 16)
    pdf.drawString(MARGIN, y, f"Exhibit {layout.exhibit.label}")
    y -= 18
    pdf.setFont(regular, 9.5)
    for part in layout.header:
        pdf.drawString(MARGIN, y, part)
        y -= 12
    y -= 6
    pdf.line(MARGIN, y, width - MARGIN, y)
    y -= 12
    if layout.picture is not None:
        x, top, scale = layout.box
        draw_invisible_text(pdf, lines, x, top, scale, regular)
    if layout.note:
        pdf.setFont(regular, 11)
        for part in simpleSplit(layout.note, regular, 11, width - 2 * MARGIN):
            pdf.drawString(MARGIN, y - 8, part)
            y -= 15
    pdf.showPage()


@dataclass(frozen=True)
class _Placed:
    """A picture ready to go under its exhibit page's text: where, and how its data is found."""

    layout: _ExhibitLayout
    image: Embedded
    """Everything of the image but its data (``data`` is empty)."""
    spill: Path | None
    """A re-encoded picture's data on disk; None: the evidence file's own data, read again."""
    spill_dir: tempfile.TemporaryDirectory[str] | None = None
    """Holds ``spill``: removed as soon as the last prepared picture using it is gone."""


class _PictureStream(EncodedStreamObject):
    """An image whose data is read only while the bundle is written, one picture at a time,
    so that hundreds of screenshots are never all in memory."""

    def __init__(self, placed: _Placed) -> None:
        super().__init__()
        # Not ``placed`` itself: a written bundle lingers until the cycle collector runs, and
        # the spill folder must go as soon as the prepared exhibits do.
        self.layout, self.spill = placed.layout, placed.spill
        image = placed.image
        self.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(image.width),
                NameObject("/Height"): NumberObject(image.height),
                NameObject("/ColorSpace"): _colour_space(image),
                NameObject("/BitsPerComponent"): NumberObject(image.bits),
                NameObject("/Filter"): NameObject(image.filter),
            }
        )
        if image.decode_parms:
            self[NameObject("/DecodeParms")] = DictionaryObject(
                {NameObject(k): NumberObject(v) for k, v in image.decode_parms.items()}
            )

    def write_to_stream(self, stream) -> None:
        if self.spill is not None:
            data = self.spill.read_bytes()
        else:
            found = stored(self.layout.picture, self.layout.size)  # type: ignore[arg-type]
            assert found is not None, "it was stored when the exhibits were prepared"
            data = found.data
        self[NameObject("/Length")] = NumberObject(len(data))
        DictionaryObject.write_to_stream(self, stream)
        del self["/Length"]
        stream.write(b"\nstream\n")
        stream.write(data)
        stream.write(b"\nendstream")


def _colour_space(image: Embedded) -> PdfObject:
    """``/DeviceRGB`` or ``/DeviceGray``; a palette: ``[/Indexed /DeviceRGB last <colours>]``."""
    if not image.palette:
        return NameObject(image.colour_space)
    return ArrayObject(
        [
            NameObject("/Indexed"),
            NameObject("/DeviceRGB"),
            NumberObject(len(image.palette) // 3 - 1),
            ByteStringObject(image.palette),
        ]
    )


def _place_picture(writer: PdfWriter, page_index: int, placed: _Placed) -> None:
    """Put the picture under the text of a page already in ``writer``."""
    page = writer.pages[page_index]
    resources = page["/Resources"].get_object()
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else DictionaryObject()
    resources[NameObject("/XObject")] = xobjects
    xobjects[NameObject("/HPPicture")] = writer._add_object(_PictureStream(placed))
    x, top, scale = placed.layout.box
    draw_w, draw_h = placed.image.width * scale, placed.image.height * scale
    place = DecodedStreamObject()
    place.set_data(
        f"q {draw_w:.4f} 0 0 {draw_h:.4f} {x:.4f} {top - draw_h:.4f} cm /HPPicture Do Q\n".encode()
    )
    contents = page.raw_get("/Contents")
    resolved = contents.get_object()
    existing = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(place), *existing])


@dataclass(frozen=True)
class PdfPages:
    """Some pages of a PDF: every exhibit's first page is in one PDF drawn for them all."""

    reader: PdfReader
    pages: list[int]

    @classmethod
    def whole(cls, reader: PdfReader) -> PdfPages:
        return cls(reader, list(range(len(reader.pages))))


@dataclass
class PreparedExhibit:
    """An exhibit's pages, ready to go into any number of bundles (pack and court bundle)."""

    exhibit: PackExhibit
    parts: list[PdfPages]
    picture: _Placed | None = None
    """Drawn under the first page's text while a bundle is written."""
    ocr: list[OcrLine] = field(default_factory=list)
    """What was read from the picture, with boxes in its own pixels (for the served check)."""


class ExhibitPages:
    """Exhibit pages in the making: OCR starts at once, pages are drawn one at a time later.

    Why: tesseract is a separate program, so its threads really run side by side, and they can
    read the screenshots while LibreOffice converts the documents (build.py makes this object
    before converting). Only file headers are read up front; each picture is decoded, if at
    all, by the one thread that needs it, so memory holds a few pictures, not all of them.
    Drawing stays in one thread because reportlab is not made for concurrent use.
    """

    def __init__(
        self,
        exhibits: Sequence[PackExhibit],
        *,
        include_sensitive: bool,
        ocr_cache: Path,
        gate: OcrGate | None = None,
    ) -> None:
        self.layouts = [_layout(exhibit, include_sensitive) for exhibit in exhibits]
        self.include_sensitive = include_sensitive
        pictures = [layout for layout in self.layouts if layout.picture is not None]
        self._pool: ThreadPoolExecutor | None = None
        self._spill: tempfile.TemporaryDirectory[str] | None = None
        self._reading: dict[int, Future[list[Line]]] = {}
        if pictures:
            find_tesseract()  # one clear message before any work starts
            gate = gate or OcrGate()
            self._pool = ThreadPoolExecutor(max_workers=min(len(pictures), gate.cores))
            self._reading = {
                id(layout): self._pool.submit(_read_picture, layout, ocr_cache, gate)
                for layout in pictures
            }

    def __enter__(self) -> ExhibitPages:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop reading pictures not started yet (after a failure, or when done)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def prepare(self) -> list[PreparedExhibit]:
        """Every exhibit's pages, in order: first page, then its text or PDF pages.

        The first pages are drawn on one canvas (reportlab embeds the font once, not once per
        exhibit). Pictures are not put in yet: only how to find their data is kept, and
        ``assemble`` reads each while it writes the bundle. A picture that has to be encoded
        again is encoded now, one at a time, into a private temporary folder that is removed
        when the prepared exhibits are.
        """
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
        read: list[list[Line]] = []
        placed: list[_Placed | None] = []
        for layout in self.layouts:  # while tesseract still reads the pictures further on
            reading = self._reading.pop(id(layout), None)
            read.append(reading.result() if reading is not None else [])
            _draw_first_page(pdf, layout, read[-1])
            placed.append(self._placed(layout) if layout.picture is not None else None)
        self.close()
        pdf.save()
        first_pages = PdfReader(io.BytesIO(buffer.getvalue()))
        prepared = []
        for index, layout in enumerate(self.layouts):
            exhibit = layout.exhibit
            parts = [PdfPages(first_pages, [index])]
            shown = not (exhibit.sensitive and not self.include_sensitive)
            if exhibit.media_type == "application/pdf" and shown:
                try:
                    parts.append(PdfPages.whole(PdfReader(exhibit.file)))
                except Exception as exc:  # pypdf raises several types for damaged files
                    raise UserError(
                        f"{exhibit.file}: exhibit {exhibit.label} is not a readable PDF "
                        f"({exc}); replace the file"
                    ) from None
            elif exhibit.media_type in TEXT_TYPES and shown:
                parts.append(PdfPages.whole(PdfReader(io.BytesIO(_text_pages(exhibit)))))
            prepared.append(
                PreparedExhibit(exhibit, parts, placed[index], _in_original(layout, read[index]))
            )
        return prepared

    def _placed(self, layout: _ExhibitLayout) -> _Placed:
        picture = layout.picture
        assert picture is not None
        # A served copy with redaction boxes is always drawn from its (blacked-out) pixels.
        image = None if layout.exhibit.redactions else stored(picture, layout.size)
        spill = None
        if image is None:
            image = encoded(_pixels(layout), photo=picture.media_type != "image/png")
            if self._spill is None:
                self._spill = tempfile.TemporaryDirectory(prefix="harassment-pack-pictures-")
            spill = Path(self._spill.name) / f"{len(os.listdir(self._spill.name))}.bin"
            write_scratch(spill, image.data)
        return _Placed(layout, replace(image, data=b""), spill, self._spill if spill else None)


TEXT_SIZE, TEXT_LEADING = 9.5, 12.0
"""Printed chat text: readable on paper (at least 9 pt)."""
CONTEXT_LINES = 2
"""Lines shown before and after each cited line of a text exhibit."""
FULL_TEXT_MAX_LINES = 300
"""A text exhibit no document cites is printed in full only up to this many lines."""


def _shown_lines(exhibit: PackExhibit) -> tuple[set[int] | None, int | None]:
    """Which lines to print: (cited lines with their context, None) or (None, a first-lines cap).

    A cited export prints only the cited lines and a few around each; an uncited one prints in
    full when short, otherwise its first lines. The complete file is attached either way, so a
    million-line chat never becomes thousands of pages.
    """
    if exhibit.cited_lines:
        wanted = {
            line
            for cited in exhibit.cited_lines
            for line in range(cited - CONTEXT_LINES, cited + CONTEXT_LINES + 1)
        }
        return wanted, None
    return None, FULL_TEXT_MAX_LINES


def _text_pages(exhibit: PackExhibit) -> bytes:
    """A text exhibit (a chat export, an e-mail): the cited lines with context, numbered.

    The file itself stays byte for byte in evidence/ and is attached to the bundle; this is its
    readable extract. Characters the file cannot decode as UTF-8 are shown as \ufffd rather
    than stopping the build.
    """
    regular, _ = _fonts()
    mono = _mono_font() or regular
    size, leading = TEXT_SIZE, TEXT_LEADING
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    width, height = A4
    gutter = MARGIN + 44
    usable = width - gutter - MARGIN
    wanted, cap = _shown_lines(exhibit)
    what = "lines cited from" if wanted else "text of"

    page = 0

    def start_page() -> float:
        nonlocal page
        page += 1
        pdf.setFont(regular, 9)
        # The label, not the file's name: a name can say more than the exhibit should.
        pdf.drawString(MARGIN, height - MARGIN + 14, f"Exhibit {exhibit.label}: {what} the "
                       f"file, page {page}")  # fmt: skip
        pdf.setFont(mono, size)
        return height - MARGIN - 6

    def new_page() -> float:
        pdf.showPage()
        return start_page()

    def gap(y: float, first: int, last: int) -> float:
        if y < MARGIN + 20:
            y = new_page()
        pdf.setFont(regular, size)
        pdf.setFillColorRGB(0.35, 0.35, 0.35)
        lines = f"line {first}" if first == last else f"lines {first}\u2013{last}"
        pdf.drawString(gutter, y, f"[\u2026 {lines} not printed: see the attached file \u2026]")
        pdf.setFillColorRGB(0, 0, 0)
        pdf.setFont(mono, size)
        return y - leading * 1.5

    y = start_page()
    skipped_from = None
    number = 0
    last = max(wanted) if wanted else cap
    with open(exhibit.file, encoding="utf-8", errors="replace", newline="") as handle:
        for number, raw in enumerate(handle, start=1):
            if (wanted is not None and number not in wanted) or (cap and number > cap):
                if skipped_from is None:
                    skipped_from = number
                if last is not None and number > last:
                    # Nothing more to print: count the rest without drawing it.
                    number += sum(1 for _ in handle)
                    break
                continue
            if skipped_from is not None:
                y = gap(y, skipped_from, number - 1)
                skipped_from = None
            text = raw.rstrip("\r\n").replace("\t", "    ")
            pieces = simpleSplit(text, mono, size, usable) or [""]
            for index, piece in enumerate(pieces):
                if y < MARGIN + 20:
                    y = new_page()
                if index == 0:
                    pdf.setFillColorRGB(0.4, 0.4, 0.4)
                    pdf.drawRightString(gutter - 8, y, str(number))
                    pdf.setFillColorRGB(0, 0, 0)
                pdf.drawString(gutter, y, piece)
                y -= leading
    if skipped_from is not None and skipped_from <= number:
        y = gap(y, skipped_from, number)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _mono_font() -> str | None:
    """A Unicode monospaced font for text exhibits, so columns and chat layouts line up."""
    path = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    if "PackMono" in pdfmetrics.getRegisteredFontNames():
        return "PackMono"
    if Path(path).is_file():
        pdfmetrics.registerFont(TTFont("PackMono", path))
        return "PackMono"
    return None


# --------------------------------------------------------------------------- assembly


def _stamp_page_number(writer: PdfWriter, page_index: int, total: int, font_ref) -> None:
    """Append 'Page N of T' at the foot of the page, outside the document's own footer."""
    box = writer.pages[page_index].mediabox
    label = f"Page {page_index + 1} of {total}"
    x = float(box.right) - 36 - 5.0 * len(label)
    y = float(box.bottom) + 24  # about 8 mm up: clear of a printer's unprintable edge
    stamp_text(writer, page_index, label, x=x, y=y, size=9, font_ref=font_ref)


Sections = list[tuple[str, int, "Sections"]]
"""A document's outline: (title, page index in the document, the sections under it)."""


def _sections(source: PdfReader | PdfWriter, outline=None) -> Sections:
    """The headings LibreOffice exported as a document's outline, with their pages."""
    found: Sections = []
    for item in source.outline if outline is None else outline:
        if isinstance(item, list):
            if found:
                found[-1][2].extend(_sections(source, item))
            continue
        found.append((item.title, source.get_destination_page_number(item), []))
    return found


def _copy_sections(writer: PdfWriter, sections: Sections, parent, first_page: int) -> None:
    """Bookmark each heading of a document under its own bookmark, with its pack page number:
    the "section" bookmarks the bundle guidance asks for."""
    for title, index, below in sections:
        page = first_page + index
        item = writer.add_outline_item(title=f"{title} (p. {page})", page_number=page - 1,
                                       parent=parent)  # fmt: skip
        _copy_sections(writer, below, item, first_page)


def _take_over(joined: Joined) -> tuple[PdfWriter, Sections]:
    """The joined document's writer, made ready to become a bundle's: its pages and tag
    structure stay (``merge_structure`` takes the tree over), its own outline, metadata and
    catalog settings go (the bundle sets its own)."""
    writer = joined.writer
    sections = _sections(writer)
    catalog = writer._root_object
    outlines = catalog.get("/Outlines")
    if outlines is not None:  # its bookmarks would otherwise stay in the file, unreferenced
        stack = [outlines.get_object().get("/First")]
        while stack:
            item = stack.pop()
            if item is None:
                continue
            node = item.get_object()
            stack += [node.get("/First"), node.get("/Next")]
            writer._objects[item.idnum - 1] = None
        writer._objects[catalog.raw_get("/Outlines").idnum - 1] = None
        del catalog[NameObject("/Outlines")]
    for key in ("/OpenAction", "/ViewerPreferences"):
        catalog.pop(NameObject(key), None)
    writer.metadata = {"/Producer": "pypdf"}  # as a new writer's
    return writer, sections


def assemble(
    out_path: Path,
    *,
    title: str,
    subtitle: list[str],
    notice: str,
    author: str,
    documents: Sequence[PackDocument],
    exhibits: Sequence[PreparedExhibit],
    manifest: dict,
    closing: Sequence[PackDocument] = (),
    about: Sequence[str] = (),
) -> PackResult:
    """Write the bundle to ``out_path`` atomically and return its table of contents.

    ``closing`` documents follow the exhibits (a court bundle ends with the chronology and the
    evidence schedule, after the evidence they refer to); ``about`` paragraphs are set on the
    cover, left-aligned, under the title and ``subtitle``.
    """
    # A document joined from parts (the chronology) is taken as it is in memory; the bundle's
    # pages go before and after its own.
    base = next((d for d in (*documents, *closing) if d.joined is not None), None)
    writer, base_sections = _take_over(base.joined) if base and base.joined else (PdfWriter(), [])
    base_pages = base.joined.pages if base and base.joined else 0

    def source(document: PackDocument) -> PdfReader | PdfWriter:
        return writer if document is base else read_converted(document.pdf)

    doc_readers = [(d.title, source(d)) for d in documents]
    closing_readers = [(d.title, source(d)) for d in closing]
    exhibit_parts = [(item.exhibit, item.parts) for item in exhibits]

    # Page plan: cover (1), index, documents, exhibits.
    entries: list[PackEntry] = []
    provisional = [PackEntry(title, 0) for title, _ in doc_readers]
    if exhibit_parts:
        titles = [f"Exhibit {e.label} \u2013 {e.description}" for e, _ in exhibit_parts]
        provisional.append(PackEntry("Exhibits", 0, [PackEntry(t, 0) for t in titles]))
    provisional.extend(PackEntry(title, 0) for title, _ in closing_readers)
    index_pages = _index_pages(provisional)
    page = 2 + index_pages
    dates = {d.title: d.date for d in (*documents, *closing)}
    for doc_title, reader in doc_readers:
        entries.append(PackEntry(doc_title, page, [], dates.get(doc_title, "")))
        page += len(reader.pages)
    if exhibit_parts:
        parent = PackEntry("Exhibits", page)
        for exhibit, parts in exhibit_parts:
            parent.children.append(
                PackEntry(
                    f"Exhibit {exhibit.label} \u2013 {exhibit.description}", page, [], exhibit.date
                )
            )
            page += sum(len(part.pages) for part in parts)
        entries.append(parent)
    for doc_title, reader in closing_readers:
        entries.append(PackEntry(doc_title, page, [], dates.get(doc_title, "")))
        page += len(reader.pages)
    total = page - 1

    front, links = _front_matter(title, subtitle, notice, entries, index_pages, about)
    placed = 0
    """Pages of the bundle in place: the next page goes here (before the joined document's
    pages, until they are reached)."""

    def place(reader: PdfReader | PdfWriter, pages: list[int] | None = None) -> TaggedPart:
        nonlocal placed
        first = placed
        if reader is writer:
            placed += base_pages
            return TaggedPart(first, base_pages, "", adopted=True)
        before = len(writer.pages)
        writer.merge(placed, reader, pages=pages, import_outline=False)
        placed += len(writer.pages) - before
        return TaggedPart(first, placed - first, "", reader)

    place(PdfReader(io.BytesIO(front)))
    tagged = [TaggedPart(0, 1, "Cover"), TaggedPart(1, index_pages, "Index")]
    for doc_title, reader in doc_readers:
        tagged.append(replace(place(reader), title=doc_title))
    for item, (exhibit, parts) in zip(exhibits, exhibit_parts, strict=True):
        start = placed
        for part in parts:
            place(part.reader, part.pages)
        name = f"Exhibit {exhibit.label} \u2013 {exhibit.description}"
        tagged.append(TaggedPart(start, 1, name, figure=item.picture is not None))
        if placed > start + 1:
            tagged.append(TaggedPart(start + 1, placed - start - 1, name))
    if exhibit_parts:
        listed = next(e for e in entries if e.title == "Exhibits")
        for item, entry in zip(exhibits, listed.children, strict=True):
            if item.picture is not None:
                _place_picture(writer, entry.page - 1, item.picture)
    for doc_title, reader in closing_readers:
        tagged.append(replace(place(reader), title=doc_title))
    if len(writer.pages) != total:
        raise AssertionError(f"page plan {total} != {len(writer.pages)} pages written")

    writer.add_outline_item(title="Cover (p. 1)", page_number=0)
    writer.add_outline_item(title="Index (p. 2)", page_number=1)
    readers = dict(doc_readers + closing_readers)
    for entry in entries:
        parent = writer.add_outline_item(
            title=f"{entry.title} (p. {entry.page})", page_number=entry.page - 1
        )
        if entry.title in readers:
            reader = readers[entry.title]
            sections = base_sections if reader is writer else _sections(reader)
            _copy_sections(writer, sections, parent, entry.page)
        for child in entry.children:
            writer.add_outline_item(
                title=f"{child.title} (p. {child.page})", page_number=child.page - 1, parent=parent
            )
    for page_index, rect, target in links:
        writer.add_annotation(page_index, Link(rect=rect, target_page_index=target - 1))
    merge_structure(writer, tagged, LANGUAGE)

    font_ref = helvetica(writer)
    for index in range(total):
        _stamp_page_number(writer, index, total, font_ref)
    for exhibit, parts in exhibit_parts:
        if exhibit.media_type in TEXT_TYPES and len(parts) > 1:
            # The complete export, unchanged: the pages hold only the lines the documents cite.
            writer.add_attachment(exhibit.attachment_name, exhibit.file.read_bytes())

    writer.set_page_label(0, total - 1, style="/D", start=1)
    first = writer.pages[0]
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [first.indirect_reference, NameObject("/XYZ"), NullObject(), NullObject(), FloatObject(1)]
    )
    writer.page_mode = "/UseOutlines"
    # Title, language and (pdf_tags.merge_structure) the documents' tag structure survive.
    writer._root_object[NameObject("/Lang")] = TextStringObject(LANGUAGE)
    writer._root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)}
    )
    writer.add_metadata(
        {"/Title": title, "/Author": author, "/Subject": notice, "/Creator": "harassment-pack"}
    )
    writer.add_attachment("manifest.json", json.dumps(manifest, indent=2).encode("utf-8"))
    write_private_with(out_path, writer.write)
    return PackResult(out_path, total, entries)
