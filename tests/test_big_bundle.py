"""A bundle of a case with hundreds of incidents keeps every document's tags.

The chronology of 400 incidents has thousands of structure elements (about 5,700 on 26 pages,
in tables that run over pages, and more than 11,000 objects, so five-digit references in the
document as in the pack); pdf_tags copies them as PDF text with renumbered references rather
than through pypdf's objects, so these tests check the copy against the document itself: the
pack's part for a document is exactly the document's own tree (poppler's ``pdfinfo -struct``:
every element in order, with its attributes), and the structure checker finds every page's
marked content under an element of that page. Nothing in the copy depends on size beyond that:
1,500 incidents (97 pages) proved no more and took three times as long. The 10,000-incident
case is measured in benchmarks/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from harassment_pack.pack import PackDocument, PackResult, assemble

from .conftest import TODAY, many_incidents_case
from .structure import structure_problems

INCIDENTS = 400
HOSTILE = "A (nested (2 0 R) endobj) \\) stream 7 0 R"
"""Alternative text that looks like PDF syntax: references, an escape, an object's end."""


@dataclass
class Big:
    out_dir: Path
    pack: Path
    titles: dict[str, str]
    """Each document's name and title."""


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Big:
    case = many_incidents_case(tmp_path_factory.mktemp("big"), INCIDENTS, timedelta(hours=5))
    out = tmp_path_factory.mktemp("big-out")
    # Built in a process of its own, so that this one stays small for the memory tests after it.
    built = subprocess.run(
        [sys.executable, "-c", _BUILD, str(case), str(out), TODAY.isoformat()],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return Big(out, out / "pack.pdf", json.loads(built.stdout))


_BUILD = """
import json, sys
from datetime import date
from pathlib import Path
from harassment_pack.build import build_case
result = build_case(Path(sys.argv[1]), Path(sys.argv[2]), today=date.fromisoformat(sys.argv[3]))
print(json.dumps({document.name: document.title for document in result.documents}))
"""


def _problems(path: Path) -> list[str]:
    """structure_problems(path), run in a process of its own (it parses the whole PDF)."""
    checked = subprocess.run(
        [sys.executable, "-c", "import json, sys\nfrom tests.structure import structure_problems"
         "\nprint(json.dumps(structure_problems(sys.argv[1])))", str(path)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent,
    )  # fmt: skip
    return json.loads(checked.stdout)


def _tree(path: Path) -> list[str]:
    return subprocess.run(
        ["pdfinfo", "-struct", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()


def _part(pack: list[str], title: str) -> list[str]:
    """The lines of the pack's /Part ``title``, as its document's own tree would print them."""
    start = pack.index(f'  Part "{title}"') + 1
    end = next((n for n in range(start, len(pack)) if not pack[n].startswith("    ")), len(pack))
    lines = [line[4:] for line in pack[start:end]]
    assert lines[0] == "Sect"  # each document's /Document is a section of the pack's one
    return ["Document", *lines[1:]]


def _bound_alone(tmp_path: Path, title: str, document: Path, source: Path) -> PackResult:
    """Bind ``document`` alone into a pack, and check its part of the tags equals ``source``'s."""
    result = assemble(
        tmp_path / "pack.pdf",
        title="Bundle",
        subtitle=[],
        notice="",
        author="Sam Taylor",
        documents=[PackDocument(title, document)],
        exhibits=[],
        manifest={},
    )
    assert structure_problems(result.path) == []
    assert _part(_tree(result.path), title) == _tree(source)
    return result


def test_hundreds_of_incidents_keep_every_element_on_its_page(big):
    assert _problems(big.pack) == []
    tree = _tree(big.pack)
    chronology = PdfReader(big.out_dir / "chronology.pdf")
    assert len(chronology.pages) > 20
    assert chronology.trailer["/Size"] > 10_000  # five-digit object numbers before and after
    assert len(big.titles) == 4
    for name, title in big.titles.items():
        assert _part(tree, title) == _tree(big.out_dir / f"{name}.pdf"), name


def test_a_parent_tree_split_into_kids_and_written_by_pypdf_is_merged_too(big, tmp_path):
    """A document whose objects and parent tree are laid out as another writer lays them out
    (pypdf's own object numbers and a parent tree of /Kids with /Limits) merges the same, and
    text strings in elements that look like PDF syntax stay text."""
    source = big.out_dir / "next_steps.pdf"
    title = big.titles["next_steps"]
    writer = PdfWriter(clone_from=source)
    root = writer._root_object["/StructTreeRoot"].get_object()
    first = root["/K"][0].get_object()["/K"][0].get_object()
    first[NameObject("/Alt")] = TextStringObject(HOSTILE)
    nums = root["/ParentTree"].get_object()["/Nums"]
    kids = ArrayObject()
    for first in range(0, len(nums), 4):
        chunk = ArrayObject(nums[first : first + 4])
        node = DictionaryObject({NameObject("/Nums"): chunk})
        node[NameObject("/Limits")] = ArrayObject(
            [NumberObject(int(chunk[0])), NumberObject(int(chunk[-2]))]
        )
        kids.append(writer._add_object(node))
    root[NameObject("/ParentTree")] = writer._add_object(
        DictionaryObject({NameObject("/Kids"): kids})
    )
    rewritten = tmp_path / "next_steps.pdf"
    writer.write(rewritten)
    assert len(kids) > 1
    result = _bound_alone(tmp_path, title, rewritten, source)
    part = PdfReader(result.path).trailer["/Root"]["/StructTreeRoot"]["/K"]["/K"][-1]
    assert part.get_object()["/K"][0].get_object()["/K"][0].get_object()["/Alt"] == HOSTILE


def test_a_document_with_a_damaged_cross_reference_table_is_still_bound_with_its_tags(
    big, tmp_path
):
    """Documents are read strictly (no second look at every object), and leniently, with the
    table repaired, when the strict reader refuses them."""
    source = big.out_dir / "evidence_schedule.pdf"
    data = source.read_bytes()
    header = data.index(b"\n") + 1
    damaged = tmp_path / "evidence_schedule.pdf"
    damaged.write_bytes(data[:header] + b"%every offset after this line is wrong\n" + data[header:])
    title = big.titles["evidence_schedule"]
    _bound_alone(tmp_path, title, damaged, source)
