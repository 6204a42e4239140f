"""The served-documents safety check: nothing served may tell him what he must not learn.

Why: ``court-bundle.pdf`` is served on the person doing the harassing. One postcode in a
screenshot's OCR text, a work address in a witness statement, or "I now leave by the back
entrance" is enough to put the applicant in danger. So every build reads back everything that
goes into the court bundle (each served document's DOCX text, every page's text layer including
the OCR text laid over screenshots, the PDF's metadata and its attached files) and looks for each
detail the case marks as private: the address and postcode when the address is confidential,
phone numbers, email, workplace, the children's school, an exclusion-zone address the Defendant
does not know, the applicant's own ``private_details`` and each supporting witness's contact
details.

Matching is deliberately loose, because a leak rarely looks like the case file: case, spaces and
punctuation are ignored ("RG2 8QJ", "rg28qj", "R G 2 - 8 Q J"), letters that OCR confuses with
digits count as the same (O/0, I/l/1), and a phone number matches in any digit form (07700
900481, +44 7700 900481, 0044 (0)7700-900-481). A hit stops the build with one line per hit
saying where it is and how to fix it; a solicitor may decide a detail can be disclosed with
``--allow-disclosure KEY``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .case import Case
from .errors import UserError

if TYPE_CHECKING:
    from pypdf import PdfReader

_CONFUSABLE = str.maketrans({"o": "0", "i": "1", "l": "1"})
MIN_NEEDLE = 5
"""Shortest squashed text searched for: shorter ones ("Flat 3") match by chance."""

_PHONE_RUN = re.compile(r"\+?[\d(][\d\s().\-/]{6,}\d")


def squash(text: str) -> str:
    """Text as the check compares it: letters and digits, lower case, OCR look-alikes merged."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum()
    ).translate(_CONFUSABLE)


def _squash_with_positions(text: str) -> tuple[str, list[int]]:
    """``squash(text)`` and, for each of its characters, where it came from in ``text``."""
    kept: list[str] = []
    where: list[int] = []
    for position, ch in enumerate(text):
        for part in unicodedata.normalize("NFKC", ch).casefold():
            if part.isalnum():
                kept.append(part.translate(_CONFUSABLE))
                where.append(position)
    return "".join(kept), where


class _SquashTable(dict):
    """``str.translate`` table: each character as ``_squash_with_positions`` keeps it (its NFKC
    form, case-folded, letters and digits only, look-alikes merged), worked out once per
    character, so that the text of a whole bundle is squashed at C speed."""

    def __missing__(self, code: int) -> str | None:
        kept = "".join(
            part.translate(_CONFUSABLE)
            for part in unicodedata.normalize("NFKC", chr(code)).casefold()
            if part.isalnum()
        )
        self[code] = kept or None
        return self[code]


_SQUASHED = _SquashTable()


def national_number(text: str) -> str:
    """The digits of a UK phone number without +44, 0044 or the trunk 0: the same in every form."""
    digits = re.sub(r"\D", "", text)
    for prefix in ("0044", "44"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 9:
            digits = digits[len(prefix) :]
            break
    return digits.lstrip("0")


@dataclass(frozen=True)
class Protected:
    """One detail that must not reach the respondent, and the forms it is searched in."""

    key: str
    """What ``--allow-disclosure`` names: address, postcode, phone, email, workplace, school,
    exclusion_address, private:1, witness:1 …"""
    what: str
    """How the hit line names it: "your address", "private detail 2 (back entrance)"."""
    needles: tuple[str, ...]
    phone: str = ""
    """For a phone number: its national digits, matched in any written form."""
    fix: str = ""


def _address_needles(value: str) -> list[str]:
    """The parts of an address that identify it: the street with and without the number.

    "Flat 3, 41 Larkspur Road, Reading" gives "41 Larkspur Road" and "Larkspur Road"; a lone town
    or county ("Reading") is left out, because it appears in innocent sentences.
    """
    found = [value]
    for part in re.split(r"[,\n;]", value):
        part = part.strip()
        words = part.split()
        if len(words) >= 2 or any(ch.isdigit() for ch in part):
            found.append(part)
        if len(words) >= 3 and any(ch.isdigit() for ch in words[0]):
            found.append(" ".join(words[1:]))
    return found


def _needles(values: Iterable[str], names: str = "") -> tuple[str, ...]:
    """Squashed search forms; a part of a name every served document carries is left out.

    An email such as jane.smith@… has "janesmith" before the @: searching for that alone would
    flag the Claimant's own name on every page.
    """
    out: list[str] = []
    for value in values:
        needle = squash(value)
        if len(needle) >= MIN_NEEDLE and needle not in out and needle not in names:
            out.append(needle)
    return tuple(out)


ANNEX_FIX = "move it to the confidential schedule ({field}) and out of what is served"


def protected_details(case: Case) -> list[Protected]:
    """Every detail of ``case`` that no served document may contain."""
    applicant = case.applicant
    items: list[Protected] = []
    if applicant.keep_address_confidential and applicant.address:
        items.append(
            Protected(
                "address", "your address", _needles(_address_needles(applicant.address)),
                fix="served documents must say 'address provided to the court separately'",
            )
        )  # fmt: skip
    if applicant.keep_address_confidential and applicant.postcode:
        items.append(
            Protected(
                # Without its last letter too: OCR reads "RG2 8QJ" as "RG2 8Q]".
                "postcode", "your postcode",
                _needles([applicant.postcode, applicant.postcode.strip()[:-1]]),
                fix="served documents must say 'address provided to the court separately'",
            )
        )  # fmt: skip
    if applicant.phone and len(national_number(applicant.phone)) >= 9:
        items.append(
            Protected("phone", "your phone number", (), phone=national_number(applicant.phone),
                      fix=ANNEX_FIX.format(field="applicant.phone"))
        )  # fmt: skip
    if applicant.email:
        local = applicant.email.split("@")[0]
        items.append(
            Protected("email", "your email address",
                      _needles([applicant.email, local], squash(applicant.full_name)),
                      fix=ANNEX_FIX.format(field="applicant.email"))
        )  # fmt: skip
    places = (("workplace", "workplace", "your workplace"),
              ("school", "children_school", "your children's school"))  # fmt: skip
    for item, field, label in places:
        place = getattr(applicant, field)
        if place:
            items.append(
                Protected(item, label, _needles(_address_needles(place)),
                          fix=ANNEX_FIX.format(field=f"applicant.{field}"))
            )  # fmt: skip
    injunction = case.injunction
    if injunction and injunction.exclusion_address and not injunction.exclusion_address_known:
        items.append(
            Protected(
                "exclusion_address", "the exclusion-zone address",
                _needles(_address_needles(injunction.exclusion_address)),
                fix="the served order must refer to 'the address in the confidential schedule' "
                "(set injunction.exclusion_address_known: true only if he already knows it)",
            )
        )  # fmt: skip
    for number, detail in enumerate(applicant.private_details, start=1):
        short = detail if len(detail) <= 40 else detail[:39] + "\u2026"
        items.append(
            Protected(
                f"private:{number}", f"private detail {number} ({short})", _needles([detail]),
                fix=ANNEX_FIX.format(field="applicant.routines") + " or reword it",
            )
        )  # fmt: skip
    for number, witness in enumerate(case.witnesses, start=1):
        if witness.contact:
            phones = [national_number(run) for run in _PHONE_RUN.findall(witness.contact)]
            emails = [word for word in re.split(r"[\s,;()]+", witness.contact) if "@" in word]
            items.append(
                Protected(
                    f"witness:{number}", f"{witness.full_name}'s contact details",
                    _needles([witness.contact, *emails], squash(witness.full_name)),
                    phone=next((p for p in phones if len(p) >= 9), ""),
                    fix=f"a witness's contact details belong only on the next-steps sheet (take "
                    f"them out of witnesses[{number - 1}].account or wherever else they are)",
                )
            )  # fmt: skip
    return [item for item in items if item.needles or item.phone]


@dataclass(frozen=True)
class Hit:
    """One place where a protected detail was found."""

    item: Protected
    where: str
    """'Witness statement (draft), paragraph 12', 'Exhibit JS/5, text read from the image' …"""
    found: str
    part: str = ""
    """The bundle part (document title or exhibit label) it belongs to, to merge repeats."""
    fix: str = ""

    def line(self) -> str:
        how = self.fix or self.item.fix
        return (
            f"{self.where}: \u201c{self.found}\u201d is {self.item.what}; {how}, or after a "
            f"solicitor's decision build with --allow-disclosure {self.item.key}"
        )


def find(text: str, items: Sequence[Protected]) -> Iterator[tuple[Protected, str]]:
    """Each protected item found in ``text``, with the words as they appear there."""
    if not text:
        return
    squashed = text.translate(_SQUASHED)
    where: list[int] = []
    for item in items:
        for needle in item.needles:
            start = squashed.find(needle)
            if start >= 0:
                where = where or _squash_with_positions(text)[1]  # only for a hit: slower
                end = start + len(needle) - 1
                yield item, " ".join(text[where[start] : where[end] + 1].split())
                break
        if item.phone:
            for match in _PHONE_RUN.finditer(text):
                if national_number(match.group()).endswith(item.phone):
                    yield item, " ".join(match.group().split())
                    break


class ServedLeakError(UserError):
    """The court bundle would tell the respondent something private: one line per hit."""

    def __init__(self, bundle: Path, hits: Sequence[Hit]) -> None:
        self.hits = list(hits)
        lines = [
            f"{bundle.name} was not written: it would disclose {len(hits)} private detail(s) to "
            "the person it is served on:",
            *(f"  {hit.line()}" for hit in hits),
        ]
        super().__init__("\n".join(lines))


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class ServedExhibitText:
    """What OCR read from one served exhibit image, to point at the box to redact."""

    label: str
    lines: Sequence[tuple[str, tuple[int, int, int, int]]]
    """Each line of text and its box in the original image's pixels (left, top, width, height)."""


def docx_units(path: Path) -> Iterator[tuple[str, str]]:
    """('paragraph N' / 'header' / 'footer' / 'properties', text) for every part of a DOCX."""
    from docx import Document

    document = Document(str(path))
    number = 0
    for paragraph in document.paragraphs:
        if paragraph.text.strip():
            number += 1
            yield f"paragraph {number}", paragraph.text
    for t_index, table in enumerate(document.tables, start=1):
        for r_index, row in enumerate(table.rows, start=1):
            for cell in row.cells:
                if cell.text.strip():
                    yield f"table {t_index} row {r_index}", cell.text
    for section in document.sections:
        for part, name in ((section.header, "header"), (section.footer, "footer")):
            for paragraph in part.paragraphs:
                if paragraph.text.strip():
                    yield name, paragraph.text
    props = document.core_properties
    for name in ("title", "subject", "author", "keywords", "comments", "last_modified_by"):
        value = getattr(props, name, None)
        if value:
            yield f"document properties ({name})", str(value)


def document_hits(documents: Sequence[tuple[str, Path]], items: Sequence[Protected]) -> list[Hit]:
    """Each hit in the served documents' DOCX text: ``(title, docx)`` pairs.

    Read from the DOCX files, so a build does it while LibreOffice converts them.
    """
    hits = []
    if items:
        for title, docx in documents:
            for where, text in docx_units(docx):
                for item, found in find(text, items):
                    hits.append(Hit(item, f"{title}, {where}", found, part=title))
    return hits


def check_bundle(
    bundle: Path,
    *,
    parts: Sequence[tuple[str, int]],
    document_hits: Sequence[Hit],
    exhibit_texts: Sequence[ServedExhibitText],
    items: Sequence[Protected],
    case_ref: str = "CASE",
) -> list[Hit]:
    """Every hit in a served bundle: its documents' DOCX (``document_hits``, found before), OCR
    text, every page, metadata, attached files.

    ``parts`` is each bundle part's title and first page (1-based) in page order, so a page hit
    names the document or exhibit it is in; a page hit in a part that already has a DOCX or OCR
    hit for the same detail is not repeated.
    """
    from pypdf import PdfReader

    if not items:
        return []
    hits: list[Hit] = list(document_hits)
    for exhibit in exhibit_texts:
        part = f"Exhibit {exhibit.label}"
        for text, (left, top, width, height) in exhibit.lines:
            for item, found in find(text, items):
                box = f"{left},{top},{width},{height}"
                hits.append(
                    Hit(item, f"{part}, text read from the image", found, part=part,
                        fix=f"black it out in the served copy: harassment-pack evidence redact "
                        f"{case_ref} {exhibit.label} --box {box}")
                )  # fmt: skip
    seen = {(hit.item.key, hit.part) for hit in hits}

    reader = PdfReader(bundle)
    for index, text in enumerate(page_texts(bundle, reader), start=1):
        part = next((title for title, first in reversed(parts) if first <= index), "front matter")
        for item, found in find(text, items):
            if (item.key, part) in seen:
                continue
            seen.add((item.key, part))
            hits.append(Hit(item, f"{bundle.name} page {index} ({part})", found, part=part))
    for name, value in (reader.metadata or {}).items():
        for item, found in find(str(value), items):
            hits.append(Hit(item, f"{bundle.name} metadata {name}", found,
                            fix="change the names used for the case"))  # fmt: skip
    for name, contents in reader.attachments.items():
        for item, found in find(name, items):
            hits.append(Hit(item, f"{bundle.name} attached file name {name}", found))
        for data in contents:
            text = data.decode("utf-8", errors="replace")
            with contextlib.suppress(ValueError):  # decoded too: \\u escapes hide nothing
                text += "\n" + "\n".join(_strings(json.loads(text)))
            for item, found in find(text, items):
                hits.append(Hit(item, f"{bundle.name} attached file {name}", found))
    return hits


def page_texts(bundle: Path, reader: PdfReader) -> list[str]:
    """Each page's whole text layer, the OCR text laid over screenshots included.

    Read by poppler's ``pdftotext`` (about 50 ms for the sample's court bundle, where pypdf's
    text extraction took a second); pypdf reads it when pdftotext is missing or does not give
    one text per page, so a page is never left unread.
    """
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(
                [pdftotext, "-q", "-enc", "UTF-8", str(bundle), "-"],
                capture_output=True,
                timeout=600,
                check=False,
            )
            pages = done.stdout.decode("utf-8", errors="replace").split("\f")
            if (
                done.returncode == 0
                and pages[-1].strip() == ""
                and len(pages) - 1 == len(reader.pages)
            ):
                return pages[:-1]
    return [page.extract_text() or "" for page in reader.pages]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)
    elif value is not None:
        yield str(value)


def allowed(items: Sequence[Protected], keys: Iterable[str]) -> list[Protected]:
    """The items still protected after ``--allow-disclosure KEY``; an unknown key is an error."""
    keys = list(keys)
    known = {item.key for item in items}
    for key in keys:
        if key not in known:
            raise UserError(
                f"--allow-disclosure {key}: this case has no private detail called that (its "
                f"details are: {', '.join(sorted(known)) or 'none'})"
            )
    return [item for item in items if item.key not in keys]


# --------------------------------------------------------------------------- safety words


@dataclass(frozen=True)
class SafetyWords:
    """Words in a served answer that may describe her safety steps or routines: a warning only.

    Why not a hit: they are her own words, and some are rightly there (the cost of a video
    doorbell claimed as a loss); she and her solicitor decide before anything is served.
    """

    document: str
    field: str
    """Where the words are in case.yaml: impact.statement, incidents[3].summary …"""
    words: tuple[str, ...]

    def line(self) -> str:
        quoted = ", ".join(f"\u201c{word}\u201d" for word in self.words)
        return f"{self.document}, {self.field}: {quoted}"


@functools.cache
def _safety_pattern() -> re.Pattern[str]:
    from .law import load_data

    phrases = sorted(load_data("served_words")["words"], key=len, reverse=True)
    parts = [r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases]
    return re.compile(rf"\b(?:{'|'.join(parts)})(?:e?s)?\b", re.IGNORECASE)


def _served_answers(case: Case) -> Iterator[tuple[str, str, str]]:
    """(served document, case.yaml field, text) for each free answer a served statement prints.

    The documents are named from the data, not from ``documents``: ``check`` must not load the
    DOCX and image libraries (tests/test_startup.py).
    """
    from .law import load_data

    names = load_data("served_words")["documents"]
    statement = names["witness_statement"]
    numbers = case.incident_numbers()  # the chronology's C-numbers: internal ids are never shown
    for index, incident in enumerate(case.incidents):
        for name in ("summary", "impact"):
            text = getattr(incident, name)
            if text:
                field = f"incidents[{index}].{name} (incident {numbers[incident.id]})"
                yield statement, field, text
    if case.impact.statement:
        yield statement, "impact.statement", case.impact.statement
    for index, effect in enumerate(case.impact.effects):
        yield statement, f"impact.effects[{index}]", effect
    for index, witness in enumerate(case.witnesses):
        if witness.account and witness.willing is not False:
            field = f"witnesses[{index}].account"
            yield names["supporting_statements"], field, witness.account


def safety_words(case: Case) -> list[SafetyWords]:
    """Each served answer that carries words from ``law/served_words.yaml``, with those words."""
    pattern = _safety_pattern()
    found = []
    for document, field, text in _served_answers(case):
        words = dict.fromkeys(" ".join(m[0].split()) for m in pattern.finditer(text))
        if words:
            found.append(SafetyWords(document, field, tuple(words)))
    return found


def safety_warning(found: Sequence[SafetyWords]) -> list[str]:
    """The warning as lines for the terminal: its title, each answer and its words, what to do."""
    if not found:
        return []
    from .law import load_data

    data = load_data("served_words")
    return [f"{data['title']}:", *(f"  {w.line()}" for w in found), " ".join(data["text"].split())]
