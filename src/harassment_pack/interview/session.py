"""Interview state: every answer saved the moment it is given, and found again after a crash.

Why: a person may be writing down what happened to them for the first time; losing what they
typed because a laptop died or they pressed Ctrl-C would be cruel. So after every single answer:

1. ``CASE/.interview-progress.yaml`` (atomic, 0600) is written with all answers so far, which
   questions were asked (skipped ones too, so they are not asked again), and the fingerprints the
   case file may have when it is read back;
2. then, when the answers make a valid case, ``case.yaml`` is written through ``save_case``.

A case with a required answer still missing (no name yet, an incident without its summary) lives
only in the progress file until it validates. On the next run the progress file is used when
``case.yaml`` is still one of the two versions it names (so a kill between the two writes loses
nothing); if the case file was changed by something else since (a solicitor's edit), the case
file wins and only the list of asked questions is kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..case import (
    CASE_FILENAME,
    Case,
    CaseWrite,
    case_fingerprint,
    load_case,
    number_incidents,
    path_text,
    yaml_text,
)
from ..errors import UserError
from ..evidence import register_evidence
from ..files import write_private
from ..law import load_law
from ..transaction import Transaction
from .questions import Choice, Question, Section, render

PROGRESS_FILENAME = ".interview-progress.yaml"
PROGRESS_VERSION = 1

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's reader when present: the progress file holds the whole case, imports included."""

CasePath = tuple[str | int, ...]
Say = Callable[[str], None]
"""Where the interview's messages go (``print``, or a list in tests)."""


def get_path(data: Any, path: CasePath) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
            data = data[part]
        else:
            if not isinstance(data, dict):
                return None
            data = data.get(part)
    return data


class _IncidentNumbers(Mapping[str, str]):
    """'C3' for an incident id, as the chronology numbers it, worked out only when a label asks.

    An imported case can hold thousands of incidents; most questions never show a number.
    """

    def __init__(self, incidents: list[Any]) -> None:
        self._incidents = incidents

    @functools.cached_property
    def _numbers(self) -> dict[str, str]:
        return number_incidents(
            (item.get("id"), item.get("when")) for item in self._incidents if isinstance(item, dict)
        )

    def __getitem__(self, key: str) -> str:
        return self._numbers[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)


def set_path(data: dict[str, Any], path: CasePath, value: Any) -> None:
    """Set a value, creating the records on the way; ``None`` removes the answer.

    Removing creates nothing: a skipped question must not leave an empty record behind (whose
    defaults would then read as answers).
    """
    if value is None:
        parent = get_path(data, path[:-1])
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
        return
    node: Any = data
    for part in path[:-1]:
        node = node[part] if isinstance(part, int) else node.setdefault(part, {})
    node[path[-1]] = value


class Progress:
    """The answers so far (a case-file dict), the questions asked, and where they are saved."""

    def __init__(
        self,
        case_dir: Path,
        data: dict[str, Any],
        asked: set[str],
        disk: str | None,
        unfinished: set[str] | None = None,
        answers_file: dict[str, Any] | None = None,
    ):
        self.case_dir = case_dir
        self.data = data
        self.asked = asked
        self.unfinished = unfinished or set()
        """Long answers stopped with Ctrl-C: their words are kept, and they are asked again."""
        self.disk_hash = disk
        self.answers_on_disk = False
        """Whether the last ``save`` wrote the progress file (even if ``case.yaml`` then failed)."""
        self.deferred = False
        """While True (an answers file being applied), ``save`` writes nothing: one write at the
        end commits the whole file's answers, so a killed run leaves no half case."""
        self.answers_file = answers_file
        """``{"sha256": ..., "given": n}`` of the answers file whose answers are saved here but
        not yet in ``case.yaml`` (a kill or a full disk between the two writes): rerun with the
        same file, the command finishes from here instead of applying the file twice."""

    @property
    def path(self) -> Path:
        return self.case_dir / PROGRESS_FILENAME

    @classmethod
    def load(cls, case_dir: Path) -> Progress:
        disk = case_fingerprint(case_dir)
        saved: dict[str, Any] = {}
        progress_path = case_dir / PROGRESS_FILENAME
        if progress_path.is_file():
            try:
                text = progress_path.read_text(encoding="utf-8")
                saved = yaml.load(text, Loader=_Loader) or {}
            except yaml.YAMLError:
                raise UserError(
                    f"{progress_path}: the saved interview progress cannot be read (delete this "
                    f"file to continue from {case_dir / CASE_FILENAME})"
                ) from None
        asked = set(saved.get("asked") or [])
        if saved.get("data") is not None and (disk is None or disk in saved.get("case_sha256", [])):
            unfinished = set(saved.get("unfinished") or [])
            hashes = saved.get("case_sha256") or [None]
            from_file = saved.get("answers_file")
            ahead = disk is None or disk != hashes[-1]  # case.yaml was not written after it
            from_file = from_file if isinstance(from_file, dict) and ahead else None
            return cls(case_dir, saved["data"], asked, disk, unfinished, from_file)
        if disk is None:
            return cls(case_dir, {}, asked, None)
        data = load_case(case_dir).model_dump(mode="json", exclude_unset=True)
        return cls(case_dir, data, asked, disk)

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Everything that stops the answers from being a case: (where, what), missing first."""
        try:
            Case.model_validate(self.data)
        except ValidationError as exc:
            found = [(tuple(e["loc"]), "" if e["type"] == "missing" else str(e["msg"]))
                     for e in exc.errors()]  # fmt: skip
            return sorted(found, key=lambda problem: bool(problem[1]))
        return []

    def validate(self) -> tuple[Case | None, str | None]:
        """The case, or what still stops it from being one (first problem only)."""
        try:
            return Case.model_validate(self.data), None
        except ValidationError as exc:
            error = exc.errors()[0]
            where = path_text(tuple(error["loc"]))
            if error["type"] == "missing":
                return None, f"{where} is not answered yet"
            return None, f"{where}: {str(error['msg']).removeprefix('Value error, ')}"

    def save(self) -> Case | None:
        """Write the progress file, then ``case.yaml`` when the answers make a valid case.

        This runs after every answer, on cases that can hold thousands of imported messages, so
        the case is turned into its files' bytes once (``CaseWrite``): the progress file names
        their fingerprint, and the same bytes are then written as ``save_case`` writes them.
        """
        if self.deferred:
            return None
        self.answers_on_disk = False
        case, _ = self.validate()
        write = CaseWrite(case, self.case_dir) if case else None
        new_hash = write.fingerprint if write else None
        record = {
            "version": PROGRESS_VERSION,
            "note": "Interview answers in progress (harassment-pack); case.yaml is the case file.",
            "case_sha256": [h for h in (self.disk_hash, new_hash) if h],
            "asked": sorted(self.asked),
            "unfinished": sorted(self.unfinished),
            **({"answers_file": self.answers_file} if self.answers_file else {}),
            "data": self.data,
        }
        text = yaml_text(record)
        write_private(self.path, text.encode("utf-8"))
        self.answers_on_disk = True
        self.answers_file = None  # a later save (a typed answer) is no longer that file's
        if write is not None:
            write.commit()
            self.disk_hash = new_hash
        return case


class Session:
    """Questionnaires plus saved progress: what both the interview and ``--answers`` work on."""

    def __init__(
        self, case_dir: Path, sections: list[Section], *, today: date | None = None
    ) -> None:
        self.case_dir = Path(case_dir)
        self.sections = sections
        self.progress = Progress.load(self.case_dir)
        self.law = load_law()
        self.today = today or date.today()
        self.batch: Transaction | None = None
        """Where files are staged while an answers file is applied (committed once at its end)."""

    @property
    def data(self) -> dict[str, Any]:
        return self.progress.data

    def context(self, item: dict[str, Any] | None = None) -> dict[str, Any]:
        """What templates and ``when`` conditions see: the answers, ``item`` and ``law``."""
        return {
            **self.data,
            "case": self.data,
            "item": item or {},
            "law": self.law,
            "case_dir": str(self.case_dir.resolve()),
            "incident_numbers": _IncidentNumbers(self.data.get("incidents") or []),
        }

    def section(self, name: str) -> Section:
        for section in self.sections:
            if section.section == name:
                return section
        names = ", ".join(s.section for s in self.sections)
        raise UserError(f"--section {name}: there is no section called that (choose from: {names})")

    def choices(self, question: Question, context: dict[str, Any]) -> list[Choice]:
        """The question's choices, or those built from an earlier list (people, incidents)."""
        if question.choices:
            return question.choices
        source = question.choices_from
        if source is None:
            return []
        found: dict[Any, Choice] = {}
        for item in get_path(self.data, tuple(source.list.split("."))) or []:
            value = item.get(source.value) if isinstance(item, dict) else None
            if value is not None and value not in found:
                label = render(source.label, {**context, "item": item})
                found[value] = Choice(value=value, label=label or str(value))
        return list(found.values())

    def default(self, question: Question, context: dict[str, Any]) -> Any:
        if isinstance(question.default, str) and "{" in question.default:
            return render(question.default, context) or None
        return question.default

    def item_name(self, group: Question, item: dict[str, Any], index: int) -> str:
        """'Incident C3' or 'Report to the police 2': how one item of a repeat group is called."""
        number = render(group.item_number, self.context(item)) if group.item_number else ""
        return f"{group.item_name or 'Item'} {number or index + 1}"

    def item_label(
        self, group: Question, item: dict[str, Any], index: int, numbered: bool = True
    ) -> str:
        """'Incident C3: 14 June 2026, WhatsApp: …': the item's name, then its ``item_label``."""
        label = render(group.item_label, self.context(item)) if group.item_label else ""
        label = label.strip(" :,-")
        if not numbered:
            return label
        named = self.item_name(group, item, index)
        return f"{named}: {label}" if label else named

    def still_needed(self) -> list[str]:
        """What the documents still need, in words ('Incident C2: what happened'), never paths."""
        return [
            self.in_words(where) + (f" ({message.removeprefix('Value error, ')})" * bool(message))
            for where, message in self.progress.problems()
        ]

    def in_words(self, where: tuple[str | int, ...]) -> str:
        """A place in the case, said with the questions that fill it."""
        questions = [q for s in self.sections for q in s.questions]
        names: list[str] = []
        base: CasePath = ()
        rest = where
        while rest:
            match = max(
                (q for q in questions if q.path == tuple(rest[: len(q.path)])),
                key=lambda q: len(q.path),
                default=None,
            )
            if match is None:
                break
            rest = rest[len(match.path) :]
            base = (*base, *match.path)
            if match.type == "group" and rest and isinstance(rest[0], int):
                item = get_path(self.data, (*base, rest[0])) or {}
                names.append(self.item_name(match, item, rest[0]))
                base, rest, questions = (*base, rest[0]), rest[1:], match.questions
                continue
            names.append(match.review or render(match.prompt, self.context()))
            rest = ()
        if rest or not names:
            section = next(
                (s.title for s in self.sections for q in s.questions if q.path[0] == where[0]),
                "your answers",
            )
            names.append(f"an answer in {section}")
        return ": ".join(names)

    def is_answered(self, path: CasePath) -> bool:
        if self.is_unfinished(path):
            return False
        return path_text(path) in self.progress.asked or get_path(self.data, path) is not None

    def is_unfinished(self, path: CasePath) -> bool:
        return path_text(path) in self.progress.unfinished

    def keep_unfinished(self, path: CasePath, value: Any) -> None:
        """Save a long answer stopped half way (Ctrl-C): kept, and asked again to carry on."""
        set_path(self.data, path, value)
        self.progress.unfinished.add(path_text(path))
        self.progress.save()

    def is_finished(self, group_path: CasePath) -> bool:
        """A repeat group is finished once the person said no to "add another?"."""
        return path_text(group_path) in self.progress.asked

    def answer(self, path: CasePath, value: Any, *, save: bool = True) -> None:
        set_path(self.data, path, value)
        self.mark(path, save=save)

    def mark(self, path: CasePath, *, save: bool = True) -> None:
        """Record that a question was asked (answered or skipped), so it is not asked again."""
        self.progress.asked.add(path_text(path))
        self.progress.unfinished.discard(path_text(path))
        if save:
            self.progress.save()

    def new_item(self, group: Question, path: CasePath, given_id: str | None = None) -> int:
        """Start a new item of a repeat group (with the next free id, e.g. i3) and save it."""
        items = get_path(self.data, path)
        if items is None:
            items = []
            set_path(self.data, path, items)
        item: dict[str, Any] = {}
        if group.id_prefix:
            used = {existing.get("id") for existing in items}
            number = 1
            while f"{group.id_prefix}{number}" in used:
                number += 1
            item["id"] = given_id or f"{group.id_prefix}{number}"
        items.append(item)
        self.progress.save()
        return len(items) - 1

    def remove_item(self, path: CasePath, index: int) -> None:
        """Remove an item and forget which of its questions were asked, then save."""
        items = get_path(self.data, path)
        del items[index]
        prefix = path_text(path) + "["

        def shifted(paths: set[str]) -> set[str]:
            kept = set()
            for asked in paths:
                if not asked.startswith(prefix):
                    kept.add(asked)
                    continue
                number, rest = asked[len(prefix) :].split("]", 1)
                if int(number) != index:
                    kept.add(f"{prefix}{int(number) - (int(number) > index)}]{rest}")
            return kept

        self.progress.asked = shifted(self.progress.asked)
        self.progress.unfinished = shifted(self.progress.unfinished)
        self.progress.save()

    def register_files(
        self,
        files: Iterable[Path],
        path: CasePath,
        describe: list[str],
        *,
        sensitive: bool = False,
    ) -> None:
        """Copy files into the case as exhibits and add their ids to the list at ``path``.

        Exhibit labels need the applicant's initials, so the answers must make a valid case
        first; if they do not yet, the reason says which answer is still needed. The files are
        registered on the case in memory and everything is saved once. If that fails before the
        progress file is written, the copies are removed and the answers are as before; once it
        is written, it is what the next run reads (see ``Progress.load``), copies included. So
        nothing is ever half-registered.
        """
        case, _ = self.progress.validate()
        if case is None:
            needed = "; ".join(self.still_needed()[:3])
            raise UserError(
                f"files can be added once the questions your documents need are answered "
                f"(still needed: {needed}); you can add this file later with 'harassment-pack "
                "interview'"
            )
        before = {key: self.data.get(key) for key in ("evidence", "next_exhibit_number")}
        before_ids = get_path(self.data, path)
        ids = list(before_ids or [])
        own = None if self.batch else Transaction(self.case_dir, "interview")
        stage = self.batch or own
        assert stage is not None
        self.progress.answers_on_disk = False
        try:
            for file, description in zip(files, describe, strict=True):
                registration = register_evidence(
                    case,
                    self.case_dir,
                    [file],
                    stage=stage,
                    description=description,
                    sensitive=sensitive,
                )
                ids += [r.id for r in registration.evidence if r.id not in ids]
            # The same fields, in the same form, as reading them back from case.yaml would give.
            fresh = case.model_dump(
                mode="json", exclude_none=True, include={"evidence", "next_exhibit_number"}
            )
            self.data.update(fresh)
            set_path(self.data, path, ids)
            if own is not None:
                own.commit(self.progress.save, written=lambda: self.progress.answers_on_disk)
        except BaseException:
            if self.progress.answers_on_disk:
                raise
            for key, value in before.items():
                set_path(self.data, (key,), value)
            set_path(self.data, path, before_ids)
            raise
        finally:
            if own is not None:
                own.discard()
