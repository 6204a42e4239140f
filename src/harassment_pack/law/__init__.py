"""Legal facts as data: one dated, sourced file that templates and checks read the law from.

Why: the law, phone numbers, fees and force names change, and a wrong one in a court document
hurts the person relying on it. Keeping every legal fact in ``facts.yaml`` (and nowhere else)
means each one is typed once, carries the citation it came from (``source``), the date that
source was checked (``checked``) and how well it is verified (``status``), and can be
re-checked and updated in a single place. Templates reach the data through ``load_law()``;
Jinja's attribute access (``law.helplines.samaritans.tel``) falls back to dict keys.

What counts as a *fact entry* (every one must carry ``source`` and ``checked``):

* any mapping that has a ``source`` key, anywhere in the file; and
* every direct child of ``statutes``, ``forms``, ``wording``, ``helplines``, ``fees``,
  ``time_limits`` and ``jurisdictions``, and every item of ``offences``, ``forces`` and
  ``victims_code_rights``, whether or not it has a ``source`` (so a missing one is caught).

Dates in the file (``checked``, ``from``, ``in_force``) load as :class:`datetime.date`;
``as_of`` stays a ``"YYYY-MM"`` string. The data returned by :func:`load_law` is cached and
shared: treat it as read-only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from importlib import resources
from typing import Any

import yaml

__all__ = [
    "FACT_GROUPS",
    "FACT_LISTS",
    "checked_note",
    "court_wording_used",
    "dated",
    "force_names",
    "helplines_for",
    "iter_facts",
    "iter_scannable_text",
    "load_data",
    "load_law",
    "wrong_law_hits",
]

FACT_GROUPS: tuple[str, ...] = (
    "statutes",
    "forms",
    "wording",
    "helplines",
    "fees",
    "time_limits",
    "jurisdictions",
)
"""Top-level mappings whose direct children are fact entries."""

FACT_LISTS: tuple[str, ...] = ("offences", "forces", "victims_code_rights")
"""Top-level lists whose items are fact entries."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe reader when present: the same data as ``yaml.safe_load``, several times faster
(every ``check`` and build reads the law data)."""

WRONG_LAW_KEY = "wrong_law"
REPLACED_KEY = "replaced"


@functools.cache
def load_law() -> dict[str, Any]:
    """Return the legal facts from the package's ``facts.yaml`` (read once, then cached)."""
    text = resources.files(__package__).joinpath("facts.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_Loader)
    if not isinstance(data, dict):
        raise TypeError("law/facts.yaml must hold a mapping at the top level")
    return data


@functools.cache
def load_data(name: str) -> dict[str, Any]:
    """Another sourced data file of this package, e.g. ``load_data("routes")`` for routes.yaml.

    The rules that decide routes, order terms and court-paper wording live beside facts.yaml,
    each entry with ``source``, ``checked`` and ``status``; cached and shared: read-only.
    """
    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)


def iter_facts(law: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(path, entry)`` for every fact entry, e.g. ``("helplines.samaritans", {...})``.

    Paths join mapping keys with dots and list positions with brackets
    (``offences[3]``, ``wrong_law[0]``). See the module docstring for the rule.
    """
    for key, value in law.items():
        if key == "as_of":
            continue
        if key in FACT_GROUPS and isinstance(value, dict):
            for child_key, child in value.items():
                path = f"{key}.{child_key}"
                if isinstance(child, dict):
                    yield path, child
                    yield from _nested_sourced(child, path)
                else:
                    # Not a mapping, so it cannot carry a source: report it as an empty entry.
                    yield path, {}
        elif key in FACT_LISTS and isinstance(value, list):
            for index, item in enumerate(value):
                path = f"{key}[{index}]"
                yield path, item if isinstance(item, dict) else {}
                if isinstance(item, dict):
                    yield from _nested_sourced(item, path)
        else:
            yield from _sourced(value, key)


def _sourced(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Mappings with a ``source`` key at or below ``node``."""
    if isinstance(node, dict):
        if "source" in node:
            yield path, node
        yield from _nested_sourced(node, path)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _sourced(item, f"{path}[{index}]")


def _nested_sourced(node: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Mappings with a ``source`` key strictly below the mapping ``node``."""
    for key, value in node.items():
        yield from _sourced(value, f"{path}.{key}")


def checked_note(entry: dict[str, Any], what: str = "", field: str | None = None) -> str:
    """' (number checked July 2026)' when the data is only partly verified, else ''.

    Partly verified data (one secondary source, or a date not re-read) is shown with the month
    it was checked, so a reader knows how fresh it is. ``field`` names a per-field status
    (``tel_status``, ``hours_status``) that overrides the entry's own. Entries whose status is
    partly verified but whose words go into a court document or a request as they stand carry
    ``undated_because`` (why a date there would be wrong) and get no note.
    """
    from ..dates import uk_month

    status = entry.get(f"{field}_status") if field else None
    if (status or entry.get("status")) != "partly_verified" or (
        not status and entry.get("undated_because")
    ):
        return ""
    return f" ({what} checked {uk_month(entry['checked'])})".replace("( ", "(")


def dated(
    entry: dict[str, Any], text: str | None = None, what: str = "", field: str | None = None
) -> str:
    """The one way law data reaches a reader: ``text`` (the entry's own ``text`` by default)
    with its checked note, '… may have changed (checked July 2026).', put before a closing full
    stop so the sentence still ends cleanly. Verified data comes back unchanged."""
    words = entry["text"] if text is None else text
    note = checked_note(entry, what, field)
    if note and words.endswith("."):
        return f"{words[:-1]}{note}."
    return f"{words}{note}"


COURT_WORDING_FILES: tuple[str, ...] = ("court_papers", "order_terms", "routes")
"""Data files of wording for the court drafts; their partly verified entries with a ``label``
(in routes.yaml, the relationship categories and their s.62 paragraphs, which the claim form
and the FL401 state), and those of facts.yaml marked ``undated_because`` with a ``label`` (the
court wording among them; a request in a letter has no label), are listed for the solicitor
with their dates."""

_NOT_WORDING = frozenset({"source", "checked", "status", "note", "undated_because", "label"})
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
MIN_WORDING = 15
"""Shortest piece of wording looked for: shorter ones ('costs', 'N208') match by chance."""


def _wording(node: Any) -> Iterator[str]:
    """The words of an entry that reach a document: every string below it, except its citation
    and metadata and any part with a status of its own (verified or unverified sections)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            if not (isinstance(item, dict) and "status" in item):
                yield from _wording(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in _NOT_WORDING and not (isinstance(value, dict) and "status" in value):
                yield from _wording(value)


@functools.cache
def undated_court_wording() -> tuple[tuple[dict[str, Any], tuple[tuple[str, ...], ...]], ...]:
    """Each partly verified entry of court-draft wording with the pieces of its words: the
    literal parts of each sentence around its {placeholders}, in order."""
    law = load_law()
    entries = [e for _, e in iter_facts(law) if e.get("undated_because") and e.get("label")]
    for name in COURT_WORDING_FILES:
        data = load_data(name)
        entries += [e for e in data.values() if isinstance(e, dict) and e.get("label")]
    found = []
    for entry in entries:
        if entry.get("status") != "partly_verified":
            continue
        pieces = []
        for words in _wording(entry):
            parts = tuple(p for p in _PLACEHOLDER.split(words) if p.strip())
            if sum(len(p) for p in parts) >= MIN_WORDING:
                pieces.append(parts)
        found.append((entry, tuple(pieces)))
    return tuple(found)


def _uses(text: str, parts: tuple[str, ...]) -> bool:
    """Whether ``text`` holds the literal ``parts`` of one sentence in order, on one line."""
    if not all(part in text for part in parts):  # quick: most entries are not there at all
        return False
    pattern = "[^\n]*?".join(re.escape(part) for part in parts)
    return re.search(pattern, text) is not None


def court_wording_used(text: str) -> list[dict[str, str]]:
    """The partly verified wording that a court draft's ``text`` uses, one item per entry: its
    label, source, the month it was checked and any note. A court form cannot carry
    '(checked July 2026)' inside its own boxes, so the solicitor's note lists them instead."""
    from ..dates import uk_month

    return [
        {
            "label": entry["label"],
            "source": entry["source"],
            "checked": uk_month(entry["checked"]),
            "note": entry.get("note", ""),
        }
        for entry, pieces in undated_court_wording()
        if any(_uses(text, parts) for parts in pieces)
    ]


def force_names(law: dict[str, Any]) -> list[str]:
    """Names of all police forces, in file order (43 territorial forces first)."""
    return [force["name"] for force in law["forces"]]


def helplines_for(law: dict[str, Any], tags: Iterable[str]) -> list[dict[str, Any]]:
    """Helplines to offer for a case with these ``when`` tags, in file order.

    A helpline is included when its ``when`` list contains ``always`` or shares a tag with
    ``tags``. Each result is a new dict with the helpline's key added as ``id``.
    """
    wanted = set(tags)
    chosen = []
    for key, helpline in law["helplines"].items():
        when = set(helpline.get("when") or ())
        if "always" in when or when & wanted:
            chosen.append({"id": key, **helpline})
    return chosen


def iter_scannable_text(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(path, text)`` for every key and string value that out-of-date law could hide in.

    Skips the ``wrong_law`` section and ``replaced:`` fields, which name old law on purpose.
    Works on the whole law data or on any other loaded YAML (questionnaires, for example).
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if key in (WRONG_LAW_KEY, REPLACED_KEY):
                continue
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key)
            yield from iter_scannable_text(value, child)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from iter_scannable_text(item, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def wrong_law_hits(law: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """The ``wrong_law`` entries whose pattern matches ``text`` (case-insensitive)."""
    return [entry for entry in law[WRONG_LAW_KEY] if _compiled(entry["pattern"]).search(text)]
