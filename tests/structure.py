"""A veraPDF-like sanity check of a PDF's tag structure, for the tests.

For every page: its drawing is marked content (at least one MCID), the page has /StructParents,
and each MCID on it has a parent in the parent tree: an element that holds that MCID (directly
or through a marked-content reference) and belongs to this page. Every element's /P is the node
that lists it, and every link annotation is in the tree, under an element that refers back
to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

_MCID = re.compile(rb"/MCID\s*(\d+)")


def _numbers(tree: DictionaryObject) -> Iterator[tuple[int, Any]]:
    nums = tree.get("/Nums")
    if nums is not None:
        for index in range(0, len(nums), 2):
            yield int(nums[index]), nums[index + 1]
    for kid in tree.get("/Kids", ()):
        yield from _numbers(kid.get_object())


def _kids(node: DictionaryObject) -> list[Any]:
    if "/K" not in node:
        return []
    kids = node["/K"]
    return list(kids) if isinstance(kids, ArrayObject) else [kids]


def _resolved(item: Any) -> Any:
    return item.get_object() if hasattr(item, "get_object") else item


def structure_problems(path: Path) -> list[str]:
    """What is wrong with the tag structure of the PDF at ``path`` ([] when nothing)."""
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    if "/StructTreeRoot" not in root or not root.get("/MarkInfo", {}).get("/Marked"):
        return ["not a tagged PDF (no structure tree, or not marked)"]
    tree = root["/StructTreeRoot"].get_object()
    parents = dict(_numbers(tree["/ParentTree"].get_object()))
    problems = []
    stack = [tree]
    while stack:
        node = stack.pop()
        for kid in _kids(node):
            element = _resolved(kid)
            if isinstance(element, DictionaryObject) and "/S" in element:
                if element["/P"].get_object() is not node:
                    problems.append(f"element {element['/S']} does not point to its parent")
                stack.append(element)
    for number, page in enumerate(reader.pages, start=1):
        contents = page.get_contents()
        mcids = [
            int(m) for m in _MCID.findall(contents.get_data() if contents is not None else b"")
        ]
        if not mcids:
            problems.append(f"page {number}: nothing on it is tagged")
            continue
        entry = parents.get(int(page.get("/StructParents", -1)))
        if entry is None:
            problems.append(f"page {number}: not in the parent tree")
            continue
        entry = entry.get_object()
        for mcid in mcids:
            if mcid >= len(entry) or _resolved(entry[mcid]) is None:
                problems.append(f"page {number}: marked content {mcid} has no parent")
                continue
            element = entry[mcid].get_object()
            held = [
                _resolved(k)
                for k in _kids(element)
                if (isinstance(_resolved(k), int) and _resolved(k) == mcid)
                or (
                    isinstance(_resolved(k), DictionaryObject) and _resolved(k).get("/MCID") == mcid
                )
            ]
            if not held:
                problems.append(f"page {number}: marked content {mcid}'s parent does not hold it")
                continue
            owner = held[0].raw_get("/Pg") if isinstance(held[0], DictionaryObject) else None
            node = element
            while owner is None and isinstance(node, DictionaryObject) and "/S" in node:
                owner = node.raw_get("/Pg") if "/Pg" in node else None
                node = node["/P"].get_object()
            if owner is None or owner.idnum != page.indirect_reference.idnum:
                problems.append(f"page {number}: marked content {mcid} belongs to another page")
        for reference in page.get("/Annots", ()):
            annotation = reference.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            element = parents.get(annotation.get("/StructParent", -1))
            objects = [_resolved(k) for k in _kids(element.get_object())] if element else []
            if not any(
                isinstance(o, DictionaryObject)
                and o.get("/Type") == "/OBJR"
                and o.raw_get("/Obj").idnum == reference.idnum
                for o in objects
            ):
                problems.append(f"page {number}: a link is not in the structure tree")
    return problems
