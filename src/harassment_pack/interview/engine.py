"""The interactive interview: questions asked with questionary, each answer saved at once.

Why generic: what is asked lives in ``questionnaires/*.yaml``; this module only knows how to ask
each *type* of question, so a new question never needs Python. Ctrl-C is always safe: everything
already answered is on disk (see ``session``), and the next run starts at the first question not
yet answered.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from datetime import datetime
from typing import Any

import questionary
from prompt_toolkit.completion import WordCompleter
from prompt_toolkit.filters import emacs_insert_mode, vi_insert_mode
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys

from ..case import CASE_FILENAME
from ..dates import LONDON, ApproxDate, parse_date, parse_moment, uk_date_figures
from ..errors import UserError
from ..files import write_private
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
_EDIT = "\0edit"
_EDITOR = "\0editor"

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
        if isinstance(moment, ApproxDate):
            return moment.said()
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
        self._items: list[tuple[Question, int, int, dict[str, Any]]] = []
        """The repeat-group items being asked: (group, index, how many, item), outermost first."""
        self._resumed = bool(session.progress.asked)
        """Set when answers were saved before: the first question asked says where we are."""

    # ------------------------------------------------------------------ running

    def run(self, section: str | None = None, review_only: bool = False) -> None:
        """Safety screen, then the unanswered questions (or one section again), then review."""
        self._resumed = self._resumed and not (section or review_only)
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
        sections = self.session.sections
        if section is sections[0] and section.always_show_intro:
            self.say(f"\n== {section.title} ==")
        else:
            part = sections.index(section) + 1
            self.say(f"\n== Part {part} of {len(sections)}: {section.title} ==")
        if section.intro:
            self.say(render(section.intro, self.session.context()) + "\n")

    def _before_asking(self, prompt: str | None = None) -> None:
        """A section's heading and introduction appear just before its first question.

        After a pause, the first question asked also says where the person is, in words:
        "Carrying on where you stopped: Incident C3 of 5 — 14 June 2026, WhatsApp: Who did it?"
        """
        if self._intro is not None:
            self._show_intro(self._intro)
            self._intro = None
        if self._resumed and prompt is not None:
            self._resumed = False
            self.say(f"Carrying on where you stopped: {self.where(prompt)}")

    def where(self, prompt: str) -> str:
        """'Incident C3 of 5 — 14 June 2026, WhatsApp: Who did it?' for the question asked."""
        parts = []
        for group, index, count, item in self._items:
            named = self.session.item_name(group, item, index)
            label = self.session.item_label(group, item, index, numbered=False)
            parts.append(f"{named} of {count}" + (f" — {label}" if label else ""))
        parts.append(prompt)
        return ": ".join(parts)

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
        self._before_asking(render(question.prompt, context))
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
        value = self.prompt(question, path, context, revisit)
        if value is _KEEP:
            session.mark(path)
        else:
            session.answer(path, value)

    def prompt(
        self, question: Question, path: CasePath, context: dict[str, Any], revisit: bool = False
    ) -> Any:
        """Ask until the answer is valid; the answer as stored, None if skipped, or _KEEP."""
        session = self.session
        message = render(question.prompt, context)
        help_text = render(question.help, context) if question.help else None
        current = get_path(session.data, path)
        default = current if current is not None else session.default(question, context)
        if revisit and current is None and not question.required:
            # Going through a section again, Enter keeps a question unanswered as it was.
            default = _SKIP if question.type in ("choice", "yes_no") else None
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
                raw = self._several_lines(question, path, message, help_text, current)
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
                    key_bindings=_typing_replaces(shown(question, default)),
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
        self,
        question: Question,
        path: CasePath,
        message: str,
        help_text: str | None,
        current: Any,
    ) -> Any:
        """Long answers: lines and paragraphs, typed or pasted, and changed in place.

        Enter on an empty line finishes, so a story typed line by line is never sent half
        written, while pasted paragraphs (blank lines and all) stay in this one answer. Ctrl-C
        keeps what is already written (``Session.keep_unfinished``), and the next run opens
        it again to carry on. A saved answer can be kept, changed here or in ``$EDITOR``.
        """
        session = self.session
        text = "" if not current else current if isinstance(current, str) else "\n".join(current)
        if session.is_unfinished(path) and text:
            self.say(f"\nYou had started this answer; your words are kept, so carry on:\n{message}")
        elif text:
            self.say(f"\n{message}\nYou wrote:\n" + _indent(text))
            editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
            options = [
                Choice(value=_KEEP, label="Keep it as it is"),
                Choice(value=_EDIT, label="Change it here (your words are kept)"),
            ]
            if editor:
                name = os.path.basename(shlex.split(editor)[0])
                options.append(Choice(value=_EDITOR, label=f"Change it in your editor ({name})"))
            options.append(Choice(value=_AGAIN, label="Write it again from the start"))
            if not question.required:
                options.append(Choice(value=_REMOVE, label="Remove it"))
            action = self._select("What would you like to do?", options)
            if action in (_KEEP, _REMOVE):
                return _KEEP if action == _KEEP else None
            if action == _AGAIN:
                text = ""
            elif action == _EDITOR and editor:
                edited = self._in_editor(editor, text)
                if edited is not None and (edited.strip() or not question.required):
                    return self._from_text(question, edited)
        hint = "press Enter on an empty line when you have finished"
        hint += "; ? for help" if help_text else ""
        while True:
            try:
                written = _long_prompt(message, f"({hint})", text)
            except StoppedWriting as stop:
                if stop.text.strip():
                    session.keep_unfinished(path, self._from_text(question, stop.text.rstrip()))
                raise
            if written.strip() == "?" and help_text:
                self.say(help_text)
                continue
            if not written.strip() and question.required:
                self.say("  this one is needed for your documents, so please write something")
                continue
            return self._from_text(question, written)

    @staticmethod
    def _from_text(question: Question, text: str) -> str | list[str]:
        """The written text as a long answer, or one list item per line."""
        return text if question.type == "long_text" else text.splitlines()

    def _in_editor(self, editor: str, text: str) -> str | None:
        """Open the answer in the person's own editor; None if it could not be used.

        The draft lives in the case folder (0600), never in a shared temporary folder, and is
        removed afterwards.
        """
        draft = self.session.case_dir / ".answer-being-edited.txt"
        write_private(draft, text.encode("utf-8"))
        try:
            done = subprocess.run([*shlex.split(editor), str(draft)], check=False)
            if done.returncode != 0:
                self.say("  The editor stopped with an error, so your answer is as it was.")
                return None
            return draft.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.say(f"  The editor {editor!r} could not be used ({exc}); change it here instead.")
            return None
        finally:
            draft.unlink(missing_ok=True)

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
            sensitive = bool(question.sensitive) and self._select(
                render(question.sensitive or "", context),
                [Choice(value=True, label="Yes"), Choice(value=False, label="No")],
                False,
            )
            try:
                self.session.register_files(
                    [file], path, [description.strip() or file.name], sensitive=sensitive
                )
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
                label = self.session.item_label(group, item, index)
                self._before_asking(label)
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
                first = count == 0 and group.add_first
                prompt = render((group.add_first if first else group.add_another) or "", context)
                self._before_asking(prompt)
                wanted = _HELP
                while wanted == _HELP:
                    wanted = self._select(
                        prompt,
                        [Choice(value=True, label="Yes"), Choice(value=False, label="No")],
                        None if first else False,  # "add another?": No unless chosen
                        help_text,
                    )
                    if wanted == _HELP:
                        self.say(help_text or "")
            if not wanted:
                session.mark(path)
                return
            self._ask_item(group, (*path, session.new_item(group, path)), revisit=False)

    def _ask_item(self, group: Question, item_path: CasePath, revisit: bool) -> None:
        items = get_path(self.session.data, item_path[:-1]) or []
        index = item_path[-1]
        assert isinstance(index, int)
        self._items.append((group, index, len(items), items[index]))
        try:
            for child in group.questions:
                self.ask(child, item_path, get_path(self.session.data, item_path), revisit)
        finally:
            self._items.pop()

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
            needed = session.still_needed()
            if needed:
                self.say("  Still needed before the documents can be made:")
                for line in needed:
                    self.say(f"    - {line}")
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
        parts.append("Enter keeps what is shown, typing replaces it")
    elif not question.required:
        parts.append("Enter to skip")
    return f"({'; '.join(parts)})" if parts else None


class StoppedWriting(KeyboardInterrupt):
    """Ctrl-C in a long answer: stops the interview like any Ctrl-C, with the text written."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def _long_prompt(message: str, hint: str, text: str) -> str:
    """One long answer in an editable box: Enter on an empty line (or an empty box) finishes.

    Pasted text is never finished early: a terminal's bracketed paste arrives as one piece
    (prompt_toolkit inserts it whole), and without it, an Enter followed by more keys already
    waiting is part of a paste, so it starts a new line.
    """
    keys = KeyBindings()

    @keys.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        pasting = bool(event.app.key_processor.input_queue)
        document = buffer.document
        done = not document.current_line.strip() or buffer.text.strip() == "?"
        if done and document.is_cursor_at_the_end and not pasting:
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    @keys.add("c-c")
    def _stop(event: KeyPressEvent) -> None:
        event.app.exit(exception=StoppedWriting(event.current_buffer.text), style="class:aborting")

    return questionary.text(
        message, default=text, multiline=True, instruction=f"{hint}\n", key_bindings=keys
    ).unsafe_ask()


def _typing_replaces(shown_answer: str) -> KeyBindings | None:
    """Typing over an answer shown to keep replaces it, as in a form; arrows and Backspace edit.

    So a shown answer is never added to by mistake ("UnknownMark"): the first key typed while
    the answer is untouched, with the cursor still at its end, starts a new answer.
    """
    if not shown_answer:
        return None
    keys = KeyBindings()
    fresh = [True]

    def _replace(event: KeyPressEvent, text: str) -> None:
        buffer = event.current_buffer
        if fresh[0] and buffer.text == shown_answer and buffer.document.is_cursor_at_the_end:
            buffer.text = ""
        fresh[0] = False
        buffer.insert_text(text)

    @keys.add(Keys.Any, filter=vi_insert_mode | emacs_insert_mode)
    def _typed(event: KeyPressEvent) -> None:
        _replace(event, event.data * event.arg)

    @keys.add(Keys.BracketedPaste)
    def _pasted(event: KeyPressEvent) -> None:
        _replace(event, event.data.replace("\r\n", "\n").replace("\r", "\n"))

    return keys


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
