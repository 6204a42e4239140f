"""The interactive interview: questions asked with questionary, each answer saved at once.

Why generic: what is asked lives in ``questionnaires/*.yaml``; this module only knows how to ask
each *type* of question, so a new question never needs Python. Ctrl-C is always safe: everything
already answered is on disk (see ``session``), and the next run starts at the first question not
yet answered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import questionary
from prompt_toolkit.completion import WordCompleter

from ..case import CASE_FILENAME
from ..dates import LONDON, parse_date, parse_moment, uk_date_figures
from ..errors import UserError
from ..law import force_names
from .questions import (
    HINTS,
    AnswerError,
    Choice,
    Question,
    Section,
    holds,
    parse_answer,
    parse_file,
    render,
)
from .session import CasePath, Say, Session, get_path

_HELP = "\0help"
_SKIP = "\0skip"
_KEEP = "\0keep"
_AGAIN = "\0again"
_REMOVE = "\0remove"
_CHANGE = "\0change"
_BUILD = "\0build"
_STOP = "\0stop"

HELP_LABEL = "What does this mean? (show help)"
SKIP_LABEL = "Skip this question for now"


def shown(question: Question, value: Any) -> str:
    """A saved answer as a person would type it (03/09/2026 21:14, not ISO 8601)."""
    if value is None:
        return ""
    if question.type == "date":
        return uk_date_figures(parse_date(value))
    if question.type == "datetime":
        moment = parse_moment(value)
        if isinstance(moment, datetime):
            return f"{uk_date_figures(moment)} {moment.astimezone(LONDON):%H:%M}"
        return uk_date_figures(moment)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


class Interview:
    """Asks the sections in order, then shows the review screen."""

    def __init__(self, session: Session, say: Say = print) -> None:
        self.session = session
        self.say = say
        self._intro: Section | None = None

    # ------------------------------------------------------------------ running

    def run(self, section: str | None = None, review_only: bool = False) -> None:
        """Safety screen, then the unanswered questions (or one section again), then review."""
        first = self.session.sections[0]
        if first.always_show_intro and first.intro:
            self._show_intro(first)
        if section:
            self.ask_section(self.session.section(section), revisit=True)
        elif not review_only:
            for each in self.session.sections:
                self.ask_section(each)
        self.review()

    def ask_section(self, section: Section, revisit: bool = False) -> None:
        context = self.session.context()
        if not holds(section.when, context):
            if revisit:
                self.say(f"\n{section.title}: this part does not apply to your answers so far.")
            return
        self._intro = None if section.always_show_intro and not revisit else section
        for question in section.questions:
            self.ask(question, (), None, revisit)

    def _show_intro(self, section: Section) -> None:
        self.say(f"\n== {section.title} ==")
        if section.intro:
            self.say(render(section.intro, self.session.context()) + "\n")

    def _before_asking(self) -> None:
        """A section's heading and introduction appear just before its first question."""
        if self._intro is not None:
            self._show_intro(self._intro)
            self._intro = None

    # ------------------------------------------------------------------ one question

    def ask(self, question: Question, base: CasePath, item: dict | None, revisit: bool) -> None:
        session = self.session
        context = session.context(item)
        if not holds(question.when, context):
            return
        path = (*base, *question.path)
        if question.type == "group":
            self.ask_group(question, path, revisit)
            return
        if not revisit and session.is_answered(path):
            return
        self._before_asking()
        if question.type == "notice":
            self.say("\n" + render(question.prompt, context) + "\n")
            session.mark(path)
            return
        if question.warning and holds(question.warning_when or "true", context):
            self.say("\n" + render(question.warning, context))
            go_on = self._select(
                "Would you like to write them now?",
                [Choice(value=True, label="Yes, write them now"),
                 Choice(value=_SKIP, label="No, skip this for now")],
            )  # fmt: skip
            if go_on == _SKIP:
                session.mark(path)
                return
        if question.type == "file":
            self.ask_files(question, path, context)
            session.mark(path)
            return
        value = self.prompt(question, path, context)
        if value is _KEEP:
            session.mark(path)
        else:
            session.answer(path, value)

    def prompt(self, question: Question, path: CasePath, context: dict[str, Any]) -> Any:
        """Ask until the answer is valid; the answer as stored, None if skipped, or _KEEP."""
        session = self.session
        message = render(question.prompt, context)
        help_text = render(question.help, context) if question.help else None
        current = get_path(session.data, path)
        default = current if current is not None else session.default(question, context)
        choices = session.choices(question, context)

        def check(raw: Any) -> bool | str:
            if raw == "?" and help_text:
                return True
            try:
                parse_answer(question, raw, today=session.today, choices=choices)
            except AnswerError as exc:
                return str(exc)
            return True

        kind = question.type
        if kind in ("choice", "multi_choice") and not choices:
            return None  # nothing to choose from yet (e.g. no incidents recorded)
        while True:
            if kind in ("long_text", "list"):
                raw = self._several_lines(question, message, help_text, current)
                if raw is _KEEP:
                    return _KEEP
            elif kind in ("choice", "yes_no"):
                options = choices if kind == "choice" else [
                    Choice(value=True, label="Yes"), Choice(value=False, label="No")]  # fmt: skip
                if not question.required:
                    options = [*options, Choice(value=_SKIP, label=SKIP_LABEL)]
                raw = self._select(message, options, default, help_text)
                if raw == _SKIP:
                    return None
            elif kind == "multi_choice":
                picked = default if isinstance(default, list) else []
                raw = questionary.checkbox(
                    message,
                    choices=[
                        questionary.Choice(c.label, value=c.value, checked=c.value in picked)
                        for c in choices
                    ],
                    instruction=help_text or "(space to tick, Enter when done)",
                    validate=check,
                ).unsafe_ask()
            else:
                raw = questionary.text(
                    message,
                    default=shown(question, default),
                    validate=check,
                    instruction=_instruction(question, help_text, default),
                    **_completion(question, session),
                ).unsafe_ask()
            if raw == "?" or raw == _HELP:
                self.say(help_text or "")
                continue
            try:
                return parse_answer(question, raw, today=session.today, choices=choices)
            except AnswerError as exc:  # long text answers are checked only here
                self.say(f"  {exc}")

    def _select(
        self,
        message: str,
        options: list[Choice],
        default: Any = None,
        help_text: str | None = None,
    ) -> Any:
        items = [questionary.Choice(o.label, value=o.value) for o in options]
        if help_text:
            items.append(questionary.Choice(HELP_LABEL, value=_HELP))
        chosen = next((i for i in items if i.value == default and default is not None), None)
        return questionary.select(message, choices=items, default=chosen).unsafe_ask()

    def _several_lines(
        self, question: Question, message: str, help_text: str | None, current: Any
    ) -> Any:
        """Long answers typed a line at a time, so Enter never sends half a story by mistake."""
        if current:
            text = current if isinstance(current, str) else "\n".join(current)
            self.say(f"\n{message}\nYou wrote:\n" + _indent(text))
            options = [Choice(value=_KEEP, label="Keep it as it is"),
                       Choice(value=_AGAIN, label="Write it again")]  # fmt: skip
            if not question.required:
                options.append(Choice(value=_REMOVE, label="Remove it"))
            action = self._select("What would you like to do?", options)
            if action in (_KEEP, _REMOVE):
                return _KEEP if action == _KEEP else None
        lines: list[str] = []
        hint = "one line at a time; press Enter on an empty line when you have finished"
        if help_text:
            hint += "; type ? for help"
        while True:
            line = questionary.text(
                message if not lines else "…", instruction=f"({hint})" if not lines else None
            ).unsafe_ask()
            if line.strip() == "?" and help_text:
                self.say(help_text)
                continue
            if not line.strip():
                if lines or not question.required:
                    return "\n".join(lines) if question.type == "long_text" else lines
                self.say("  this one is needed for your documents, so please write something")
                continue
            lines.append(line.rstrip())

    def ask_files(self, question: Question, path: CasePath, context: dict[str, Any]) -> None:
        """Ask for files one at a time; each is copied into the case as an exhibit at once."""
        message = render(question.prompt, context)
        help_text = render(question.help, context) if question.help else None

        def check(raw: str) -> bool | str:
            if not raw.strip() or (raw.strip() == "?" and help_text):
                return True
            try:
                parse_file(raw)
            except AnswerError as exc:
                return str(exc)
            return True

        while True:
            raw = questionary.text(
                message,
                validate=check,
                instruction="(the file's full path; press Enter with nothing typed when there "
                "are no more" + ("; ? for help)" if help_text else ")"),
            ).unsafe_ask()
            if raw.strip() == "?":
                self.say(help_text or "")
                continue
            if not raw.strip():
                return
            file = parse_file(raw)
            description = questionary.text(
                render(question.describe, context)
                if question.describe
                else "In a few words, what does this file show?",
                default=file.name,
            ).unsafe_ask()
            try:
                self.session.register_files([file], path, [description.strip() or file.name])
            except UserError as exc:
                self.say(f"  {exc}")
            else:
                self.say(f"  Saved a copy of {file.name} with your case.")

    # ------------------------------------------------------------------ repeat groups

    def ask_group(self, group: Question, path: CasePath, revisit: bool) -> None:
        session = self.session
        index = 0
        while index < len(get_path(session.data, path) or []):
            item_path = (*path, index)
            if revisit:
                item = get_path(session.data, item_path)
                label = self.item_label(group, item, index)
                action = self._select(
                    f"{label}",
                    [Choice(value=_KEEP, label="Keep it as it is"),
                     Choice(value=_CHANGE, label="Change it"),
                     Choice(value=_REMOVE, label="Remove it")],
                )  # fmt: skip
                if action == _REMOVE:
                    session.remove_item(path, index)
                    continue
                if action == _CHANGE:
                    self._ask_item(group, item_path, revisit=True)
            else:
                self._ask_item(group, item_path, revisit=False)
            index += 1
        if not revisit and session.is_finished(path):
            return
        context = session.context()
        help_text = render(group.help, context) if group.help else None
        while True:
            count = len(get_path(session.data, path) or [])
            if count == 0 and not group.add_first:
                wanted: Any = True
            else:
                prompt = group.add_first if count == 0 and group.add_first else group.add_another
                self._before_asking()
                wanted = _HELP
                while wanted == _HELP:
                    wanted = self._select(
                        render(prompt or "", context),
                        [Choice(value=True, label="Yes"), Choice(value=False, label="No")],
                        None,
                        help_text,
                    )
                    if wanted == _HELP:
                        self.say(help_text or "")
            if not wanted:
                session.mark(path)
                return
            self._ask_item(group, (*path, session.new_item(group, path)), revisit=False)

    def _ask_item(self, group: Question, item_path: CasePath, revisit: bool) -> None:
        for child in group.questions:
            self.ask(child, item_path, get_path(self.session.data, item_path), revisit)

    def item_label(self, group: Question, item: dict[str, Any], index: int) -> str:
        if group.item_label:
            label = render(group.item_label, self.session.context(item))
            if label:
                return label
        return f"{group.id} {index + 1}"

    # ------------------------------------------------------------------ review

    def summary(self) -> list[str]:
        """One block per section: answers given, and how many items each list holds."""
        session = self.session
        lines = []
        for section in session.sections:
            if not holds(section.when, session.context()):
                lines.append(f"{section.title}: does not apply")
                continue
            parts = []
            answered = 0
            for question in section.questions:
                value = get_path(session.data, question.path)
                if question.type == "group":
                    parts.append(f"{question.count_label or question.id}: {len(value or [])}")
                elif question.type != "notice" and value is not None:
                    answered += 1
            if answered:
                parts.insert(0, f"{answered} answer{'s' if answered != 1 else ''}")
            lines.append(f"{section.title}: {', '.join(parts) or 'nothing yet'}")
        exhibits = len(session.data.get("evidence") or [])
        lines.append(f"Files kept as evidence (exhibits): {exhibits}")
        return lines

    def review(self) -> None:
        """Summary per section; then change a section, build the pack, or stop."""
        session = self.session
        while True:
            self.say("\n== Your case so far ==")
            for line in self.summary():
                self.say(f"  {line}")
            _, missing = session.progress.validate()
            if missing:
                self.say(f"  Still needed before the documents can be made: {missing}")
            options = [Choice(value=_BUILD, label="Make the documents and the pack now")]
            options += [
                Choice(value=s.section, label=f"Change: {s.title}") for s in session.sections
            ]
            options.append(Choice(value=_STOP, label="Stop here (everything is saved)"))
            action = self._select("What would you like to do now?", options)
            if action == _STOP:
                self.say(f"Your answers are saved in {session.case_dir / CASE_FILENAME}.")
                return
            if action == _BUILD:
                if self.build():
                    return
                continue
            self.ask_section(session.section(action), revisit=True)

    def build(self) -> bool:
        from ..build import build_case

        try:
            result = build_case(self.session.case_dir, notify=self.say)
        except UserError as exc:
            self.say(f"  {exc}")
            return False
        assert result.pack is not None
        self.say(f"Your pack ({result.pack.page_count} pages): {result.pack.path}")
        self.say("These are drafts: have them checked by a solicitor before you use them.")
        return True


def _instruction(question: Question, help_text: str | None, default: Any) -> str | None:
    hint = HINTS.get(question.type)
    parts = [p for p in (hint, "? for help" if help_text else None) if p]
    if default not in (None, ""):
        parts.append("Enter to keep what is shown")
    elif not question.required:
        parts.append("Enter to skip")
    return f"({'; '.join(parts)})" if parts else None


def _completion(question: Question, session: Session) -> dict[str, Any]:
    """Suggestions while typing, for questions with a known list of answers (police forces).

    Why a text prompt with a completer rather than ``questionary.autocomplete``: autocomplete
    has no ``instruction`` (it hands unknown keywords to prompt_toolkit, which crashed with a
    TypeError), and the hint line must look the same on every question.
    ``sentence=True`` matches the whole text typed so far, so "thames val" finds
    "Thames Valley Police" instead of completing only the last word.
    """
    if question.type != "police_force":
        return {}
    names = force_names(session.law)
    return {
        "completer": WordCompleter(names, ignore_case=True, match_middle=True, sentence=True),
        "complete_while_typing": True,
    }


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())
