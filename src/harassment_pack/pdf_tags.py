"""Keep the documents' tags (the structure a screen reader follows) when they are bound together.

Why: LibreOffice exports each document as a tagged PDF, whose structure tree says which text is
a heading, a paragraph or a table. pypdf copies the pages of a document into the pack but not
that tree, so the pack would read as unstructured text. Here each document's tree is cloned
under one /Document root (each document a /Part named after it), its parent-tree keys are
renumbered after the documents before it, and the pages harassment-pack draws itself (cover,
index, exhibits) are wrapped in one marked-content sequence each, tagged with the page's title,
so that every page of the pack is in the tree. Exhibit pictures are tagged as figures with the
exhibit's description as their text alternative.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
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


def _name(text: str) -> NameObject:
    return NameObject(text)


def _elem(kind: str, parent: IndirectObject, **extra: Any) -> DictionaryObject:
    elem = DictionaryObject({_name("/Type"): _name("/StructElem"), _name("/S"): _name(kind),
                             _name("/P"): parent})  # fmt: skip
    for key, value in extra.items():
        elem[_name(f"/{key}")] = value
    return elem


def _numbers(tree: DictionaryObject) -> Iterator[tuple[int, Any]]:
    """(key, value) pairs of a number tree (its /Nums, then its /Kids, recursively)."""
    nums = tree.get("/Nums")
    if nums is not None:
        nums = nums.get_object()
        for index in range(0, len(nums), 2):
            yield int(nums[index]), nums[index + 1]
    for kid in tree.get("/Kids", ()):
        yield from _numbers(kid.get_object())


def _kids(node: Any) -> list[Any]:
    """The /K of a structure node as a list of raw entries (a single kid becomes a list)."""
    kids = node.raw_get("/K") if "/K" in node else None
    if kids is None:
        return []
    resolved = kids.get_object()
    return list(resolved) if isinstance(resolved, ArrayObject) else [kids]


def _wrap(writer: PdfWriter, page: DictionaryObject, kind: str) -> None:
    """Put all of a page's drawing in one marked-content sequence (MCID 0)."""
    before = DecodedStreamObject()
    before.set_data(f"/{kind} <</MCID 0>> BDC\n".encode())
    after = DecodedStreamObject()
    after.set_data(b"\nEMC\n")
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    existing: list[Any] = []
    if contents is not None:
        resolved = contents.get_object()
        existing = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    page[_name("/Contents")] = ArrayObject(
        [writer._add_object(before), *existing, writer._add_object(after)]
    )


def merge_structure(writer: PdfWriter, parts: Sequence[TaggedPart], language: str) -> None:
    """Give ``writer`` one structure tree covering every page of ``parts`` (see module doc).

    Call after every page is in the writer (pictures placed, links added) and before anything
    is drawn on top that is not content (page numbers are drawn as artifacts).
    """
    root = DictionaryObject({_name("/Type"): _name("/StructTreeRoot")})
    root_ref = writer._add_object(root)
    document = _elem("/Document", root_ref, Lang=TextStringObject(language))
    document_ref = writer._add_object(document)
    root[_name("/K")] = document_ref
    children = ArrayObject()
    document[_name("/K")] = children
    nums = ArrayObject()
    role_map = DictionaryObject()
    next_key = 0
    for part in parts:
        source = part.reader.trailer["/Root"].get("/StructTreeRoot") if part.reader else None
        if source is not None:
            next_key = _clone_document(writer, part, source.get_object(), document_ref,
                                       children, nums, role_map, next_key)  # fmt: skip
            continue
        for index in range(part.first, part.first + part.count):
            next_key = _tag_drawn_page(writer, part, index, document_ref, children, nums, next_key)
    root[_name("/ParentTree")] = writer._add_object(DictionaryObject({_name("/Nums"): nums}))
    root[_name("/ParentTreeNextKey")] = NumberObject(next_key)
    if role_map:
        root[_name("/RoleMap")] = role_map
    catalog = writer._root_object
    catalog[_name("/StructTreeRoot")] = root_ref
    catalog[_name("/MarkInfo")] = DictionaryObject({_name("/Marked"): BooleanObject(True)})


def _clone_document(
    writer: PdfWriter,
    part: TaggedPart,
    source: DictionaryObject,
    document_ref: IndirectObject,
    children: ArrayObject,
    nums: ArrayObject,
    role_map: DictionaryObject,
    offset: int,
) -> int:
    """Clone one document's tree under a /Part; return the next free parent-tree key."""
    assert part.reader is not None
    holder = _elem("/Part", document_ref, T=TextStringObject(part.title))
    holder_ref = writer._add_object(holder)
    kids = ArrayObject()
    holder[_name("/K")] = kids
    children.append(holder_ref)
    for kid in _kids(source):
        # /P (the source's root) is left behind; the clone hangs under this document's /Part.
        clone = kid.clone(writer, ignore_fields=[1, "/P"])
        resolved = clone.get_object()
        if isinstance(resolved, DictionaryObject):
            resolved[_name("/P")] = holder_ref
            if resolved.get("/S") == "/Document":
                resolved[_name("/S")] = _name("/Sect")  # one /Document per file: the pack's
        kids.append(clone)
    highest = -1
    for key, value in _numbers(source["/ParentTree"].get_object()):
        nums.extend([NumberObject(key + offset), value.clone(writer)])
        highest = max(highest, key)
    for index in range(part.count):
        page = writer.pages[part.first + index]
        original = part.reader.pages[index]
        if "/StructParents" in original:
            page[_name("/StructParents")] = NumberObject(int(original["/StructParents"]) + offset)
        for annotation in page.get("/Annots", ()):
            annotation = annotation.get_object()
            if "/StructParent" in annotation:
                key = int(annotation["/StructParent"]) + offset
                annotation[_name("/StructParent")] = NumberObject(key)
    for key, value in source.get("/RoleMap", DictionaryObject()).items():
        role_map.setdefault(_name(key), value)
    declared = int(source.get("/ParentTreeNextKey", 0))
    # The clones live in the writer now; the reader's cache of parsed objects (a second copy of
    # the whole tree, tens of thousands of objects for a long chronology) is dropped at once
    # rather than kept until the pack is written. A later read simply parses again.
    part.reader.resolved_objects.clear()
    return offset + max(declared, highest + 1)


def _tag_drawn_page(
    writer: PdfWriter,
    part: TaggedPart,
    index: int,
    document_ref: IndirectObject,
    children: ArrayObject,
    nums: ArrayObject,
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
    nums.extend([NumberObject(key), ArrayObject([elem_ref])])
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
        nums.extend([NumberObject(key), link_ref])
        key += 1
    return key
