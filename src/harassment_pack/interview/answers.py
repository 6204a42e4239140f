"""Answers from a YAML file instead of a terminal, checked by the same rules as typed answers.

Why: an adviser may prepare the answers with a client in a document, a firm may generate them,
and scripts and tests need the interview without a keyboard. Keys are the question ids (the case
paths, dotted or nested), and repeat groups are lists of the same. A wrong answer stops with one
line naming the file, the line and the question; nothing invalid reaches the case file.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from ..case import path_text, read_yaml_with_lines
from ..errors import UserError
from ..files import file_sha256
from ..transaction import Transaction
from .questions import AnswerError, Question, holds, line_of, parse_answer, render
from .session import CasePath, Say, Session, get_path

Flat = dict[str, tuple[Any, tuple]]
"""Answer key (dotted) → (value, path in the answers file, for its line number)."""


def _flatten(mapping: dict[str, Any], where: tuple, prefix: str = "") -> Flat:
    """``{"applicant": {"full_name": …}}`` and ``{"applicant.full_name": …}`` mean the same."""
    flat: Flat = {}
    for key, value in mapping.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, (*where, key), f"{dotted}."))
        else:
            flat[dotted] = (value, (*where, key))
    return flat


class _Applier:
    def __init__(self, session: Session, origin: Path, lines: dict[tuple, int], say: Say):
        self.session = session
        self.origin = origin
        self.lines = lines
        self.say = say
        self.count = 0

    def fail(self, source: tuple, key: str, message: str) -> UserError:
        return UserError(f"{line_of(self.origin, self.lines, source)}: {key}: {message}")

    def apply(
        self,
        questions: list[Question],
        flat: Flat,
        base: CasePath,
        item: Any,
        condition: str | None = None,
    ) -> set[str]:
        """Apply the answers in ``flat`` to ``questions`` in order; return the keys used.

        ``condition`` is the section's own ``when``, which every question in it also needs.
        """
        used: set[str] = set()
        for question in questions:
            context = self.session.context(item)
            applies = holds(condition, context) and holds(question.when, context)
            if question.type == "notice":
                if applies:
                    self.say(render(question.prompt, context))
                continue
            if question.id not in flat:
                continue
            used.add(question.id)
            value, source = flat[question.id]
            path = (*base, *question.path)
            if not applies:
                raise self.fail(
                    source,
                    path_text(path),
                    "this question does not apply to the answers before it (it is asked only "
                    f"when {' and '.join(c for c in (condition, question.when) if c)}); remove "
                    "it or change the earlier answer",
                )
            if question.type == "group":
                self.apply_group(question, value, source, path)
            else:
                self.apply_one(question, value, source, path, item)
        return used

    def check_all_used(
        self, flat: Flat, used: set[str], questions: list[Question], base: CasePath = ()
    ) -> None:
        for key, (_, source) in flat.items():
            if key not in used:
                known = [q.id for q in questions if q.type != "notice"]
                close = difflib.get_close_matches(key, known, n=1)
                hint = f'did you mean "{close[0]}"?' if close else "check the spelling"
                shown = path_text((*base, *key.split(".")))
                raise self.fail(source, shown, f"there is no question with this id ({hint})")

    def apply_one(
        self, question: Question, value: Any, source: tuple, path: CasePath, item: Any
    ) -> None:
        session = self.session
        choices = session.choices(question, session.context(item))
        try:
            answer = parse_answer(
                question, value, today=session.today, choices=choices, base=self.origin.parent
            )
        except AnswerError as exc:
            raise self.fail(source, path_text(path), str(exc)) from None
        if question.type == "file":
            files = answer or []
            try:
                session.register_files(files, path, [file.name for file in files])
            except UserError as exc:
                raise self.fail(source, path_text(path), str(exc)) from None
            session.mark(path, save=False)
        else:
            session.answer(path, answer, save=False)
        self.count += 1

    def apply_group(self, group: Question, value: Any, source: tuple, path: CasePath) -> None:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(
                source,
                path_text(path),
                "should be a list of items (start each with '- ' on its own line)",
            )
        for position, entry in enumerate(value):
            entry = dict(entry)
            given_id = entry.pop("id", None) if group.id_prefix else None
            index = self.session.new_item(group, path, given_id and str(given_id))
            item_path = (*path, index)
            flat = _flatten(entry, (*source, position))
            item = get_path(self.session.data, item_path)
            used = self.apply(group.questions, flat, item_path, item)
            self.check_all_used(flat, used, group.questions, item_path)
        self.session.mark(path, save=False)


def apply_answers(
    session: Session, answers_file: Path, say: Say = print, command: str = "interview --answers"
) -> int:
    """Apply an answers file, save, and return how many answers it gave.

    Lists in the file are added to those already in the case. If the case is still incomplete
    afterwards, the answers are kept (the interview can finish them) and the error says what is
    missing.
    """
    answers_file = Path(answers_file)
    if not answers_file.is_file():
        raise UserError(f"{answers_file}: no such answers file (check the path)")
    text = answers_file.read_text(encoding="utf-8")
    data, lines = read_yaml_with_lines(text, str(answers_file))
    if not isinstance(data, dict):
        raise UserError(
            f"{answers_file}: should hold answers as 'question id: answer' lines, for example "
            "'applicant.full_name: Sam Taylor'"
        )
    applier = _Applier(session, answers_file, lines, say)
    flat = _flatten(data, ())
    # Nothing is written while the answers are applied (files are staged): one save at the end
    # commits them all, so a mistake, or a kill at any moment, leaves the case as it was.
    progress = session.progress
    with Transaction(session.case_dir, command) as stage:
        session.batch, progress.deferred = stage, True
        try:
            used: set[str] = set()
            for section in session.sections:
                used |= applier.apply(section.questions, flat, (), None, section.when)
            applier.check_all_used(flat, used, [q for s in session.sections for q in s.questions])
        finally:
            session.batch, progress.deferred = None, False
        progress.answers_file = {"sha256": file_sha256(answers_file), "given": applier.count}
        stage.commit(progress.save, written=lambda: progress.answers_on_disk)
    case = progress.validate()[0]
    if case is None:
        _, missing = session.progress.validate()
        raise UserError(
            f"{answers_file}: your answers are saved, but {missing}: answer it with "
            f"'harassment-pack interview {session.case_dir}', or put only the missing answers "
            f"in a new file and give it with 'harassment-pack interview {session.case_dir} "
            "--answers NEW-FILE' (giving this file again would add its lists twice)"
        )
    return applier.count


def finish_stopped(session: Session, answers_file: Path, say: Say) -> int | None:
    """Finish a run of this same answers file that saved its answers (the progress file) but
    stopped before writing ``case.yaml`` (killed, or the disk was full); return how many answers
    it gave.

    Applying the file again would add its lists twice, so the case is written from the saved
    answers instead. None when the folder holds nothing of the kind (another file's answers, a
    typed interview, answers that do not yet make a case, a case.yaml already written).
    """
    progress = session.progress
    saved = progress.answers_file or {}
    if not saved or not Path(answers_file).is_file():
        return None
    if saved.get("sha256") != file_sha256(Path(answers_file)) or progress.validate()[0] is None:
        return None
    progress.save()
    say(
        f"{session.case_dir}: an earlier run with this answers file saved your answers but "
        "stopped before writing case.yaml; case.yaml is now written from those saved answers "
        "(the file was not applied twice)."
    )
    return int(saved.get("given") or 0)
