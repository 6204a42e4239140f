"""The interview: questionnaires (data) asked in a terminal or applied from an answers file.

``run_interview`` is the one library call behind ``harassment-pack new`` and
``harassment-pack interview``.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from ..case import CASE_FILENAME
from ..errors import UserError
from ..files import make_private_dir
from ..lock import case_lock
from .answers import apply_answers, finish_stopped
from .engine import Interview
from .questions import load_questionnaires
from .session import PROGRESS_FILENAME, Say, Session

__all__ = [
    "PROGRESS_FILENAME",
    "apply_answers",
    "load_questionnaires",
    "run_interview",
]


def run_interview(
    case_dir: Path,
    *,
    new: bool = False,
    section: str | None = None,
    answers: Path | None = None,
    review: bool = False,
    questionnaires: Path | None = None,
    today: date | None = None,
    say: Say = print,
) -> int:
    """Create (``new``) or open a case folder, then apply ``answers`` or ask in the terminal.

    Returns how many answers an answers file gave (0 for the interactive interview). Without a
    terminal and without an answers file this stops at once with a UserError instead of
    waiting for a keyboard that is not there.
    """
    case_dir = Path(case_dir)
    if answers is None and not sys.stdin.isatty():
        raise UserError(
            "there is no terminal to ask the questions in (input is not a keyboard): run this in "
            "a terminal, or give the answers in a YAML file with --answers FILE"
        )
    sections = load_questionnaires(questionnaires)
    # 'new' carries on an interview typed before; an answers file is applied to a new case only
    # (applied twice, its lists would be added twice).
    carry_on = new and answers is None and (case_dir / PROGRESS_FILENAME).exists()
    if carry_on:
        say(f"{case_dir} holds an interview you started before: carrying on with it.")
    elif new:
        if (case_dir / CASE_FILENAME).exists():
            with case_lock(case_dir, "new"):
                pass  # still tidies up what a stopped command left in it
            raise UserError(
                f"{case_dir}: already holds a case (carry on with 'harassment-pack interview "
                f"{case_dir}', or choose a new folder name)"
            )
        make_private_dir(case_dir)
    elif not case_dir.is_dir():
        raise UserError(
            f"{case_dir}: no such case folder (start one with 'harassment-pack new {case_dir}')"
        )
    # The interview keeps the answers in memory and writes them back after each one, so it holds
    # the case for its whole run: an import meanwhile would otherwise be overwritten.
    with case_lock(case_dir, "new" if new else "interview"):
        started = (case_dir / CASE_FILENAME).exists() or (case_dir / PROGRESS_FILENAME).exists()
        if new and not carry_on and started:
            if answers is not None and (case_dir / PROGRESS_FILENAME).exists():
                given = finish_stopped(Session(case_dir, sections, today=today), answers, say)
                if given is not None:
                    return given
            raise UserError(
                f"{case_dir}: another command has just started a case here (carry on with "
                f"'harassment-pack interview {case_dir}', or choose a new folder name)"
            )
        session = Session(case_dir, sections, today=today)
        if section is not None:
            session.section(section)  # an unknown name is a mistake before anything is asked
        if answers is not None:
            given = finish_stopped(session, answers, say)
            if given is None:
                command = "new --answers" if new else "interview --answers"
                given = apply_answers(session, answers, say, command)
            return given
        Interview(session, say).run(section=section, review_only=review)
    return 0
