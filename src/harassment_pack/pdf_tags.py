"""Keep the documents' tags (the structure a screen reader follows) when they are bound together.

Why: LibreOffice exports each document as a tagged PDF, whose structure tree says which text is
a heading, a paragraph or a table. pypdf copies the pages of a document into the pack but not
that tree, so the pack would read as unstructured text. Here each document's tree is copied
under one /Document root (each document a /Part named after it), its parent-tree keys are
renumbered after the documents before it, and the pages harassment-pack draws itself (cover,
index, exhibits) are wrapped in one marked-content sequence each, tagged with the page's title,
so that every page of the pack is in the tree. Exhibit pictures are tagged as figures with the
exhibit's description as their text alternative.

A 10,000-row chronology has hundreds of thousands of structure elements and attribute
dictionaries. Parsing each into pypdf objects and cloning it took minutes and more than a
gigabyte, so they are copied as their PDF text instead: each object's bytes are read straight
from the document's file, its references renumbered for the pack (pages and annotations to the
pack's copies of them, everything else to a fresh number), and written out unchanged otherwise.
Only the few objects at the top of each tree are parsed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)


@dataclass(frozen=True)
class TaggedPart:
    """Pages of the pack, in order: a tagged document (``reader``) or pages drawn here."""

    first: int
    """Index in the writer of the part's first page."""
    count: int
    title: str
    reader: PdfReader | None = None
    figure: bool = False
    """Pages drawn here that show a picture: tagged /Figure with ``title`` as their alt text."""
    adopted: bool = False
    """Pages the writer held before (a document ``split.join`` wrote, which the pack is built
    on), with the tag structure the writer has: taken over as a /Part, not copied."""


class _Raw(PdfObject):
    """An object written as PDF text whose references already carry the pack's numbers."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def write_to_stream(self, stream: Any, encryption_key: Any = None) -> None:
        stream.write(self.data)

    def hash_bin(self) -> int:
        return hash(self.data)


_HEADER = re.compile(rb"\s*\d+\s+\d+\s+obj")
_REF = re.compile(rb"(?<![\w.+-])(\d+)\s+\d+\s+R(?!\w)")
_TOKEN = re.compile(rb"\(|(?<![\w.+-])(\d+)\s+\d+\s+R(?!\w)|endobj|(?<=[\s>])stream\s")
"""What matters in an object's text: a string's start, a reference, the end, a stream."""
_IN_STRING = re.compile(rb"\\.|[()]", re.S)
_NUMS = re.compile(rb"\s*<<\s*/Nums\s*\[(.*)\]\s*>>\s*", re.S)
_NUMS_PAIR = re.compile(rb"\s*(\d+)\s*(\[[^\[\]()<>]*\]|\d+\s+\d+\s+R)\s*")


def _scan(text: bytes, start: int) -> tuple[int, list[tuple[int, int, int]], bool]:
    """An object's value from ``start``: where it ends, its references, whether it is a stream.

    References are (start, end, object number). Strings are skipped (balanced parentheses,
    escapes), so words in them are never taken for references.
    """
    refs = []
    pos = start
    while True:
        token = _TOKEN.search(text, pos)
        if token is None:
            raise ValueError(f"PDF object at byte {start} does not end")
        if token[1] is not None:
            refs.append((token.start(), token.end(), int(token[1])))
            pos = token.end()
        elif token[0] == b"(":
            depth, pos = 1, token.end()
            while depth:
                part = _IN_STRING.search(text, pos)
                if part is None:
                    raise ValueError(f"PDF string at byte {token.start()} does not end")
                depth += {b"(": 1, b")": -1}.get(part[0], 0)
                pos = part.end()
        else:
            return token.start(), refs, token[0] != b"endobj"


def _serialized(obj: PdfObject) -> bytes:
    """An object parsed by pypdf as PDF text (its references keep the source's numbers)."""
    buffer = io.BytesIO()
    obj.write_to_stream(buffer)
    return buffer.getvalue()


class _Copier:
    """Copies objects of one document into the writer as text, each object once."""

    def __init__(self, writer: PdfWriter, reader: PdfReader, fixed: dict[int, int]) -> None:
        self.writer = writer
        self.reader = reader
        self.numbers = fixed
        """Source object number -> the writer's: the pack's own copies, then the copied ones."""
        self.offsets = reader.xref.get(0, {})
        self.compressed = reader.xref_objStm
        self.pending: list[int] = []
        """Source numbers given a writer number whose text is still to be copied."""
        reader.stream.seek(0)
        self.data = reader.stream.read()

    def target(self, number: int) -> int:
        """The writer's number for source object ``number``, queued for copying when new."""
        known = self.numbers.get(number)
        if known is None:
            self.writer._objects.append(None)
            known = self.numbers[number] = len(self.writer._objects)
            self.pending.append(number)
        return known

    def _renumbered(self, value: bytes) -> bytes:
        """``value`` (text holding no string) with its references renumbered.

        Split at the references rather than substituted through a callback: a 10,000-row
        chronology has about 670,000 references, and a call for each cost about an eighth more
        of the whole copy.
        """
        pieces = _REF.split(value)  # text, number, text, number, …, text
        numbers = self.numbers
        for index in range(1, len(pieces), 2):
            number = int(pieces[index])
            known = numbers.get(number)  # target(), inlined: it runs for every reference
            pieces[index] = b"%d 0 R" % (known if known is not None else self.target(number))
        return b"".join(pieces)

    def text(self, value: bytes) -> bytes:
        """An object's text (not in the file: parsed, or part of one) with references renumbered.

        The objects the references name are queued for copying.
        """
        if b"(" not in value and b"stream" not in value:
            return self._renumbered(value)  # most objects: no strings, no stream data
        return self._scanned(value + b" endobj", 0)

    def _scanned(self, text: bytes, start: int) -> bytes:
        """The object at ``start`` up to ``endobj``, renumbered; a stream's data kept as it is."""
        end, refs, stream = _scan(text, start)
        pieces, last = [], start
        for ref_start, ref_end, number in refs:
            pieces += [text[last:ref_start], b"%d 0 R" % self.target(number)]
            last = ref_end
        pieces.append(text[last:end])
        if stream:
            pieces.append(text[end:].removesuffix(b" endobj"))
        return b"".join(pieces)

    def value(self, number: int) -> tuple[int, int] | None:
        """Where object ``number``'s value lies in the file, when it is there and not a stream."""
        offset = self.offsets.get(number)
        if number in self.compressed or offset is None:
            return None
        header = _HEADER.match(self.data, offset)
        if header is None:
            raise ValueError(f"PDF object {number} is not at byte {offset}")
        start = header.end()
        end = self.data.find(b"endobj", start)
        if end < 0 or self.data.find(b"stream", start, end) >= 0:  # no copy of the text
            return None
        return start, end

    def _copy(self, number: int) -> bytes:
        where = self.value(number)
        if where is None:
            # In an object stream, or a stream itself (pypdf knows where its data ends).
            return self.text(_serialized(self.reader.get_object(number) or NullObject()))
        start, end = where
        value = self.data[start:end]
        if b"(" not in value:
            return self._renumbered(value)
        return self._scanned(self.data, start)  # "endobj" may be inside a string

    def drain(self) -> None:
        """Copy every queued object, and whatever they refer to, until none is left."""
        objects, numbers = self.writer._objects, self.numbers
        while self.pending:
            number = self.pending.pop()
            objects[numbers[number] - 1] = _Raw(self._copy(number))


def read_converted(path: Any) -> PdfReader:
    """A document LibreOffice wrote, read without pypdf's second look at every object.

    A lenient reader reads the header of each object its cross-reference table lists, to
    repair a damaged table: about a second for a 10,000-row chronology, for nothing, as
    LibreOffice's tables are exact. A file the strict reader refuses is read leniently.
    """
    try:
        reader = PdfReader(path, strict=True)
    except PdfReadError:
        return PdfReader(path)
    reader.strict = False  # what follows is read as leniently as before
    return reader


def _name(text: str) -> NameObject:
    return NameObject(text)


def _elem(kind: str, parent: IndirectObject, **extra: Any) -> DictionaryObject:
    elem = DictionaryObject({_name("/Type"): _name("/StructElem"), _name("/S"): _name(kind),
                             _name("/P"): parent})  # fmt: skip
    for key, value in extra.items():
        elem[_name(f"/{key}")] = value
    return elem


def _numbers(tree: DictionaryObject) -> list[tuple[int, bytes]]:
    """(key, value as PDF text) pairs of a number tree (its /Nums, then its /Kids, recursively)."""
    pairs = []
    nums = tree.get("/Nums")
    if nums is not None:
        nums = nums.get_object()
        for index in range(0, len(nums), 2):
            pairs.append((int(nums[index]), _serialized(nums[index + 1])))
    for kid in tree.get("/Kids", ()):
        pairs += _numbers(kid.get_object())
    return pairs


def _parent_tree(copier: _Copier, reference: Any) -> list[tuple[int, bytes]]:
    """A document's parent tree as (key, value as PDF text) pairs, without parsing its values.

    LibreOffice writes it as one /Nums array of page arrays and references; anything else is
    read by pypdf.
    """
    where = copier.value(reference.idnum) if isinstance(reference, IndirectObject) else None
    pairs = _nums_pairs(copier.data[slice(*where)]) if where is not None else None
    return _numbers(reference.get_object()) if pairs is None else pairs


def _nums_pairs(text: bytes) -> list[tuple[int, bytes]] | None:
    """The pairs of a parent tree written as one /Nums array, or None when it is not one."""
    whole = _NUMS.fullmatch(text)
    if whole is None:
        return None
    pairs, body, pos = [], whole[1], 0
    while pos < len(body):
        pair = _NUMS_PAIR.match(body, pos)
        if pair is None:
            return None
        pairs.append((int(pair[1]), pair[2]))
        pos = pair.end()
    return pairs


def _kids(node: Any) -> list[Any]:
    """The /K of a structure node as a list of raw entries (a single kid becomes a list)."""
    kids = node.raw_get("/K") if "/K" in node else None
    if kids is None:
        return []
    resolved = kids.get_object()
    return list(resolved) if isinstance(resolved, ArrayObject) else [kids]


def _wrap(writer: PdfWriter, page: DictionaryObject, kind: str) -> None:
    """Put all of a page's drawing in one marked-content sequence (MCID 0)."""
    _surround(writer, page, f"/{kind} <</MCID 0>> BDC\n".encode(), b"\nEMC\n")


def _surround(writer: PdfWriter, page: DictionaryObject, before: bytes, after: bytes) -> None:
    """Put ``before`` ahead of a page's drawing and ``after`` behind it, as streams of their
    own, so that the page's existing content streams are kept as they are, never re-encoded."""
    streams = []
    for data in (before, after):
        stream = DecodedStreamObject()
        stream.set_data(data)
        streams.append(writer._add_object(stream))
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    existing: list[Any] = []
    if contents is not None:
        resolved = contents.get_object()
        existing = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    page[_name("/Contents")] = ArrayObject([streams[0], *existing, streams[1]])


def merge_structure(
    writer: PdfWriter, parts: Sequence[TaggedPart], language: str, *, joined: bool = False
) -> None:
    """Give ``writer`` one structure tree covering every page of ``parts`` (see module doc).

    Call after every page is in the writer (pictures placed, links added) and before anything
    is drawn on top that is not content (page numbers are drawn as artifacts). ``joined``: the
    parts are pieces of one document (``split.join``), whose elements follow each other under
    the one /Document, as if it had been converted whole.
    """
    catalog = writer._root_object
    held = catalog.raw_get("/StructTreeRoot") if "/StructTreeRoot" in catalog else None
    root = DictionaryObject({_name("/Type"): _name("/StructTreeRoot")})
    root_ref = writer._add_object(root)
    document = _elem("/Document", root_ref, Lang=TextStringObject(language))
    document_ref = writer._add_object(document)
    root[_name("/K")] = document_ref
    children = ArrayObject()
    document[_name("/K")] = children
    nums: list[bytes] = []
    role_map = DictionaryObject()
    next_key = 0
    for part in parts:
        if part.adopted and held is not None:
            next_key = _take_over(writer, part, held, document_ref, children, nums, role_map,
                                  next_key)  # fmt: skip
            continue
        source = part.reader.trailer["/Root"].get("/StructTreeRoot") if part.reader else None
        if source is not None:
            next_key = _copy_document(writer, part, source, document_ref,
                                      children, nums, role_map, next_key, joined)  # fmt: skip
            continue
        for index in range(part.first, part.first + part.count):
            next_key = _tag_drawn_page(writer, part, index, document_ref, children, nums, next_key)
    writer._objects.append(_Raw(b"<</Nums[" + b"\n".join(nums) + b"]>>"))
    root[_name("/ParentTree")] = IndirectObject(len(writer._objects), 0, writer)
    root[_name("/ParentTreeNextKey")] = NumberObject(next_key)
    if role_map:
        root[_name("/RoleMap")] = role_map
    catalog[_name("/StructTreeRoot")] = root_ref
    catalog[_name("/MarkInfo")] = DictionaryObject({_name("/Marked"): BooleanObject(True)})


def _copy_document(
    writer: PdfWriter,
    part: TaggedPart,
    source_ref: Any,
    document_ref: IndirectObject,
    children: ArrayObject,
    nums: list[bytes],
    role_map: DictionaryObject,
    offset: int,
    joined: bool = False,
) -> int:
    """Copy one document's tree under a /Part (``joined``: its elements straight under the
    /Document); return the next free parent-tree key."""
    reader = part.reader
    assert reader is not None
    source = source_ref.get_object()
    if joined:
        holder_ref, kids = document_ref, children
    else:
        holder = _elem("/Part", document_ref, T=TextStringObject(part.title))
        holder_ref = writer._add_object(holder)
        kids = ArrayObject()
        holder[_name("/K")] = kids
        children.append(holder_ref)
    # The pack's copies of the document's pages and annotations stand in for them; the tree's
    # root becomes the /Part, so the top elements' /P point to it.
    fixed = {
        number: copy
        for number, copy in writer._id_translated.get(id(reader), {}).items()
        if isinstance(number, int)
    }
    for index in range(part.count):
        original = reader.pages[index].indirect_reference
        fixed[original.idnum] = writer.pages[part.first + index].indirect_reference.idnum
    if isinstance(source_ref, IndirectObject):
        fixed[source_ref.idnum] = holder_ref.idnum
    top = _kids(source)
    if joined:  # the part's own /Document gives way to the joined document's
        top = []
        for kid in _kids(source):
            element = kid.get_object()
            if isinstance(element, DictionaryObject) and element.get("/S") == "/Document":
                if isinstance(kid, IndirectObject):
                    fixed[kid.idnum] = holder_ref.idnum
                top += _kids(element)
            else:
                top.append(kid)
    copier = _Copier(writer, reader, fixed)
    for kid in top:
        element = kid.get_object()
        if isinstance(element, DictionaryObject) and element.get("/S") == "/Document":
            element = DictionaryObject(element)
            element[_name("/S")] = _name("/Sect")  # one /Document per file: the pack's
        if isinstance(kid, IndirectObject):
            number = copier.target(kid.idnum)
            copier.pending.remove(kid.idnum)
        else:
            writer._objects.append(None)
            number = len(writer._objects)
        writer._objects[number - 1] = _Raw(copier.text(_serialized(element)))
        kids.append(IndirectObject(number, 0, writer))
    highest = -1
    for key, value in _parent_tree(copier, source.raw_get("/ParentTree")):
        nums.append(b"%d %s" % (key + offset, copier.text(value)))
        highest = max(highest, key)
    copier.drain()
    for index in range(part.count):
        page = writer.pages[part.first + index]
        original = reader.pages[index]
        _move_keys(page, original, offset)
    for key, value in source.get("/RoleMap", DictionaryObject()).items():
        role_map.setdefault(_name(key), value)
    declared = int(source.get("/ParentTreeNextKey", 0))
    # The reader's cache of the few objects parsed here is dropped at once rather than kept
    # until the pack is written. A later read simply parses again.
    reader.resolved_objects.clear()
    return offset + max(declared, highest + 1)


def _move_keys(page: DictionaryObject, original: DictionaryObject, offset: int) -> None:
    """Give ``page`` (in the pack) ``original``'s parent-tree keys moved after ``offset``: its
    own /StructParents and each of its annotations' /StructParent."""
    if "/StructParents" in original:
        page[_name("/StructParents")] = NumberObject(int(original["/StructParents"]) + offset)
    for annotation in page.get("/Annots", ()):
        annotation = annotation.get_object()
        if "/StructParent" in annotation:
            key = int(annotation["/StructParent"]) + offset
            annotation[_name("/StructParent")] = NumberObject(key)


def _take_over(
    writer: PdfWriter,
    part: TaggedPart,
    held: IndirectObject,
    document_ref: IndirectObject,
    children: ArrayObject,
    nums: list[bytes],
    role_map: DictionaryObject,
    offset: int,
) -> int:
    """Make the tree the writer held (``merge_structure(joined=True)``'s, one /Document) a
    /Part of the new /Document, its parent-tree keys moved after ``offset``; its elements stay
    where they are. Returns the next free key."""
    source = held.get_object()
    element_ref = source.raw_get("/K")
    element = element_ref.get_object()
    element[_name("/S")] = _name("/Part")
    element[_name("/T")] = TextStringObject(part.title)
    element[_name("/P")] = document_ref
    children.append(element_ref)
    tree = source.raw_get("/ParentTree")
    pairs = _nums_pairs(tree.get_object().data)
    if pairs is None:
        raise ValueError("the joined document's parent tree is not one /Nums array")
    nums += [b"%d %s" % (key + offset, value) for key, value in pairs]
    for index in range(part.first, part.first + part.count):
        page = writer.pages[index]
        _move_keys(page, page, offset)
    for key, value in source.get("/RoleMap", DictionaryObject()).items():
        role_map.setdefault(_name(key), value)
    writer._objects[tree.idnum - 1] = None  # the old tree's root and parent tree are replaced
    writer._objects[held.idnum - 1] = None
    return offset + int(source.get("/ParentTreeNextKey", 0))


def helvetica(writer: PdfWriter) -> IndirectObject:
    """Helvetica (WinAnsi, not embedded: every reader has it) for lines drawn by ``stamp_text``."""
    return writer._add_object(
        DictionaryObject(
            {
                _name("/Type"): _name("/Font"),
                _name("/Subtype"): _name("/Type1"),
                _name("/BaseFont"): _name("/Helvetica"),
                _name("/Encoding"): _name("/WinAnsiEncoding"),
            }
        )
    )


def stamp_text(
    writer: PdfWriter,
    page_index: int,
    text: str,
    *,
    x: float,
    y: float,
    size: float,
    font_ref: IndirectObject,
) -> None:
    """Draw one line of ``text`` (WinAnsi) at (``x``, ``y``) on top of a page, in the font
    ``font_ref`` (named /HPPageNo in the page's resources), as a pagination artifact: screen
    readers skip it, as they skip LibreOffice's own footers."""
    page = writer.pages[page_index]
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else DictionaryObject()
    page[_name("/Resources")] = resources
    fonts = resources.get("/Font")
    fonts = fonts.get_object() if fonts is not None else DictionaryObject()
    resources[_name("/Font")] = fonts
    fonts[_name("/HPPageNo")] = font_ref
    encoded = text.encode("cp1252", "replace")
    encoded = encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    _surround(
        writer,
        page,
        b"q\n",
        b"\nQ\nq /Artifact <</Type /Pagination>> BDC BT /HPPageNo %s Tf 0 g 1 0 0 1 %.2f %.2f Tm "
        b"(%s) Tj ET EMC Q\n" % (b"%g" % size, x, y, encoded),
    )


def _tag_drawn_page(
    writer: PdfWriter,
    part: TaggedPart,
    index: int,
    document_ref: IndirectObject,
    children: ArrayObject,
    nums: list[bytes],
    key: int,
) -> int:
    """Tag a page drawn here as one element; its links as /Link elements. Returns the next key."""
    page = writer.pages[index]
    kind = "/Figure" if part.figure else "/Div"
    _wrap(writer, page, kind[1:])
    extra: dict[str, Any] = {"Pg": page.indirect_reference, "T": TextStringObject(part.title)}
    if part.figure:
        extra["Alt"] = TextStringObject(part.title)
    elem = _elem(kind, document_ref, **extra)
    elem_ref = writer._add_object(elem)
    kids = ArrayObject([NumberObject(0)])
    elem[_name("/K")] = kids
    children.append(elem_ref)
    page[_name("/StructParents")] = NumberObject(key)
    nums.append(b"%d [%d 0 R]" % (key, elem_ref.idnum))
    key += 1
    for annotation_ref in page.get("/Annots", ()):
        annotation = annotation_ref.get_object()
        if annotation.get("/Subtype") != "/Link":
            continue
        link = _elem("/Link", elem_ref)
        link[_name("/K")] = DictionaryObject(
            {_name("/Type"): _name("/OBJR"), _name("/Obj"): annotation_ref,
             _name("/Pg"): page.indirect_reference}
        )  # fmt: skip
        link_ref = writer._add_object(link)
        kids.append(link_ref)
        annotation[_name("/StructParent")] = NumberObject(key)
        nums.append(b"%d %d 0 R" % (key, link_ref.idnum))
        key += 1
    return key
