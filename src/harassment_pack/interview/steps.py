"""The interview as a sequence of steps, for front ends that ask one question per page.

Why: the terminal interview asks in a loop, but a web page is asked for, answered and sent back
one at a time, possibly days apart. Both must ask the same questions in the same order, with the
same ``when`` conditions and the same "add another?" groups, so this module walks the
questionnaires over the saved answers and says what the next unanswered step is, and finds any
question again from the case path it fills (for "change this answer").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from .questions import Question, Section, holds
from .session import CasePath, Session, get_path

StepKind = Literal["question", "notice", "add"]
"""``add`` is a repeat group's "add another?" (or "add the first?") question."""


@dataclass(frozen=True)
class Step:
    """One thing to ask: a question (or notice) at ``path``, or whether to add to a group."""

    kind: StepKind
    section: Section
    question: Question
    path: CasePath
    item: dict[str, Any] | None
    """The repeat-group record the question belongs to (an incident, a report), if any."""


def next_step(session: Session) -> Step | None:
    """The first step not yet answered, in questionnaire order; None when all are done."""
    for section in session.sections:
        if not holds(section.when, session.context()):
            continue
        step = _first_open(session, section, section.questions, (), None)
        if step is not None:
            return step
    return None


def _first_open(
    session: Session,
    section: Section,
    questions: list[Question],
    base: CasePath,
    item: dict[str, Any] | None,
) -> Step | None:
    for question in questions:
        if not holds(question.when, session.context(item)):
            continue
        path = (*base, *question.path)
        if question.type == "group":
            records = get_path(session.data, path) or []
            for index, record in enumerate(records):
                step = _first_open(session, section, question.questions, (*path, index), record)
                if step is not None:
                    return step
            if not session.is_finished(path):
                return Step("add", section, question, path, item)
            continue
        if session.is_answered(path):
            continue
        kind: StepKind = "notice" if question.type == "notice" else "question"
        return Step(kind, section, question, path, item)
    return None


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(text: str) -> CasePath:
    """'incidents[2].summary' -> ('incidents', 2, 'summary'), the inverse of ``path_text``."""
    parts: list[str | int] = []
    position = 0
    for match in _PART.finditer(text):
        if match.start() not in (position, position + 1):
            raise ValueError(f"{text!r} is not a case path")
        parts.append(int(match[2]) if match[2] is not None else match[1])
        position = match.end()
    if not parts or position != len(text):
        raise ValueError(f"{text!r} is not a case path")
    return tuple(parts)


def step_at(session: Session, path: CasePath) -> Step | None:
    """The question that fills ``path`` (any answered or unanswered one), for changing it."""
    for section in session.sections:
        found = _find(session, section, section.questions, (), None, path)
        if found is not None:
            return found
    return None


def _find(
    session: Session,
    section: Section,
    questions: list[Question],
    base: CasePath,
    item: dict[str, Any] | None,
    wanted: CasePath,
) -> Step | None:
    for question in questions:
        path = (*base, *question.path)
        if question.type == "group":
            if wanted[: len(path)] != path:
                continue
            if wanted == path:
                return Step("add", section, question, path, item)
            if len(wanted) <= len(path) or not isinstance(wanted[len(path)], int):
                continue
            index = wanted[len(path)]
            record = get_path(session.data, (*path, index))
            if not isinstance(record, dict):
                return None
            return _find(session, section, question.questions, (*path, index), record, wanted)
        if path == wanted:
            kind: StepKind = "notice" if question.type == "notice" else "question"
            return Step(kind, section, question, path, item)
    return None


def applicable_sections(session: Session) -> list[Section]:
    """The sections whose ``when`` holds for the answers so far: the "parts" people see."""
    context = session.context()
    return [section for section in session.sections if holds(section.when, context)]
