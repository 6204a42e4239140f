"""Questionnaires as data: the typed question model, the loader, and one validator per type.

Why: the people who know what to ask (advisers, solicitors) should be able to change a question
by editing a YAML file, not Python. So every question is data, and the loader checks each file
thoroughly at start (types, conditions, templates, and that each id is a real case-file path), so
a broken questionnaire is one clear line naming the file and the question, never a crash halfway
through someone's story.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from jinja2 import ChainableUndefined, Template, TemplateSyntaxError
from jinja2.environment import TemplateExpression
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..case import Case, read_yaml_with_lines
from ..dates import (
    DATE_HINT,
    TIME_HINT,
    DateFormatError,
    parse_date,
    parse_moment,
    parse_time,
    uk_datetime,
    uk_day,
)
from ..errors import UserError
from ..law import force_names, load_law
from ..law.routes import associated_category
from ..shipped import SOURCE_ROOT, shipped_dir

DEFAULT_QUESTIONNAIRES = shipped_dir("questionnaires") or SOURCE_ROOT / "questionnaires"

QuestionType = Literal[
    "text",
    "long_text",
    "list",
    "date",
    "time",
    "datetime",
    "choice",
    "multi_choice",
    "yes_no",
    "email",
    "uk_phone",
    "uk_postcode",
    "url",
    "file",
    "police_force",
    "notice",
    "group",
]
"""``notice`` shows text and asks nothing; ``group`` is a repeat group ("add another?")."""

CHOICE_TYPES = {"choice", "multi_choice"}

HINTS = {
    "date": DATE_HINT,
    "time": TIME_HINT,
    "datetime": "the date, and the time if you know it, for example 14/3/26 10pm, yesterday "
    '22:14, or "March 2026" if you do not know the day',
    "email": "for example name@example.com",
    "uk_phone": "for example 07700 900123",
    "uk_postcode": "for example RG2 8QJ",
    "url": "the web address, for example https://x.com/name",
    "police_force": "type part of the name",
}


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str | bool
    label: str


class ChoicesFrom(BaseModel):
    """Choices taken from earlier answers, e.g. the people already named."""

    model_config = ConfigDict(extra="forbid")

    list: str = Field(description="Case path of a list answered earlier, e.g. respondents.")
    value: str = Field(description="Field of each item stored as the answer, e.g. id.")
    label: str = Field(description="Template shown for each item; `item` is the item.")


class Question(BaseModel):
    """One question (or notice, or repeat group). ``id`` is the case path it fills."""

    model_config = ConfigDict(extra="forbid")

    id: str
    type: QuestionType
    prompt: str = ""
    help: str | None = None
    when: str | None = Field(default=None, description="Jinja expression on earlier answers.")
    default: Any = None
    choices: list[Choice] | None = None
    choices_from: ChoicesFrom | None = None
    past: bool = Field(default=False, description="Dates: reject dates after today.")
    warning: str | None = Field(default=None, description="Said before asking; offers to skip.")
    warning_when: str | None = None
    describe: str | None = Field(default=None, description="File: asks what the file shows.")
    sensitive: str | None = Field(
        default=None,
        description="File: asks of each file whether it is sensitive (an intimate image); "
        "yes keeps it described but not shown in the pack unless the person chooses.",
    )
    # Repeat groups
    questions: list[Question] = Field(default_factory=list)
    add_first: str | None = None
    add_another: str | None = None
    id_prefix: str | None = None
    item_label: str | None = None
    count_label: str | None = Field(default=None, description="Review: '3 incidents'.")
    item_name: str | None = Field(default=None, description="One item, e.g. 'Incident'.")
    item_number: str | None = Field(
        default=None, description="Template numbering an item (default: 1, 2 … in order)."
    )
    review: str | None = Field(
        default=None,
        description="What the answer is, in words for the review screen when it is still "
        "needed, e.g. 'Which police force you reported to'.",
    )
    # Worked out by the loader from the case model, never written in a questionnaire.
    required: bool = Field(default=False, exclude=True)

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.type == "group":
            if not self.questions:
                raise ValueError("a group needs a 'questions' list")
            if not self.add_another:
                raise ValueError("a group needs 'add_another' (the question that adds an item)")
        elif self.questions:
            raise ValueError("only a group can have 'questions'")
        elif not self.prompt.strip():
            raise ValueError("the question needs a 'prompt' (what to ask)")
        if self.type in CHOICE_TYPES and not (self.choices or self.choices_from):
            raise ValueError(f"a {self.type} question needs 'choices' or 'choices_from'")
        if self.type not in CHOICE_TYPES and (self.choices or self.choices_from):
            raise ValueError("only choice and multi_choice questions can have choices")
        if self.warning_when and not self.warning:
            raise ValueError("'warning_when' needs a 'warning' to show")
        return self

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.id.split("."))


class Section(BaseModel):
    """One questionnaire file: a section of the interview, asked in ``order``."""

    model_config = ConfigDict(extra="forbid")

    section: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    order: int
    intro: str | None = None
    always_show_intro: bool = False
    when: str | None = None
    questions: list[Question]
    file: Path = Field(default=Path(), exclude=True)


# --------------------------------------------------------------------------- templates

_ENV = SandboxedEnvironment(
    undefined=ChainableUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
)


def _uk_when(value: Any) -> str:
    """Template filter: a saved ISO date or time as people read it ('3 September 2026')."""
    try:
        return uk_datetime(parse_moment(value)) if value else ""
    except DateFormatError:
        return str(value)


_ENV.filters["uk_when"] = _uk_when


def _associated(respondent: Any) -> bool:
    """Template test: an answered person is an "associated person" (FLA 1996 s.62) by the
    category chosen for them, so a question only for such cases says
    ``respondents | select('associated')`` instead of repeating the list of categories."""
    association = respondent.get("association") if isinstance(respondent, dict) else None
    return associated_category(association if isinstance(association, str) else None)


_ENV.tests["associated"] = _associated


@functools.cache
def _template(source: str) -> Template:
    return _ENV.from_string(source)


@functools.cache
def _expression(source: str) -> TemplateExpression:
    return _ENV.compile_expression(source)


def render(source: str, context: dict[str, Any]) -> str:
    """Fill a prompt, help or label template (law facts, earlier answers) in the sandbox."""
    return _template(source).render(**context).strip()


def holds(condition: str | None, context: dict[str, Any]) -> bool:
    """Whether a ``when`` condition is true for these answers (no condition: always)."""
    return True if not condition else bool(_expression(condition)(**context))


# --------------------------------------------------------------------------- validators


class AnswerError(ValueError):
    """An answer that does not fit its question; the message is the one-line reason."""


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
_NOT_PHONE = re.compile(r"[^0-9+]")


def _text(raw: Any) -> str | None:
    text = "" if raw is None else str(raw).strip()
    return text or None


def parse_email(raw: str) -> str:
    if not _EMAIL.match(raw):
        raise AnswerError(f'"{raw}" does not look like an email address ({HINTS["email"]})')
    return raw


def parse_uk_phone(raw: str) -> str:
    """A UK number with the right number of digits for its kind; spaces and dashes are fine.

    Mobile (07), London and non-geographic (02, 03, 05, 08, 09) numbers have 11 digits with the
    0; a few geographic (01) numbers and some 0800 numbers have 10. +44 stands for the 0.
    """
    if re.search(r"[^0-9+\s()\-]", raw):
        raise AnswerError(f'"{raw}" is not a phone number (use digits only, {HINTS["uk_phone"]})')
    digits = _NOT_PHONE.sub("", raw)
    if digits.startswith("+44"):
        digits = "0" + digits[3:].removeprefix("0")
    allowed = (10, 11) if digits.startswith(("01", "0800")) else (11,)
    if "+" in digits or not digits.startswith("0") or digits.startswith("00"):
        raise AnswerError(
            f'"{raw}" is not a UK phone number (it should start with 0 or +44, {HINTS["uk_phone"]})'
        )
    if len(digits) not in allowed:
        raise AnswerError(
            f'"{raw}" has {len(digits)} digits, but a UK number like this has 11 with the '
            f"first 0 (check for a missing or extra digit, {HINTS['uk_phone']})"
        )
    return raw


def parse_uk_postcode(raw: str) -> str:
    match = _POSTCODE.match(raw.upper().strip())
    if not match:
        raise AnswerError(f'"{raw}" is not a UK postcode ({HINTS["uk_postcode"]})')
    return f"{match[1]} {match[2]}"


def parse_url(raw: str) -> str:
    """A web address; ``x.com/name`` gets ``https://`` in front, as a browser would."""
    url = raw if re.match(r"^[a-z][a-z0-9+.-]*://", raw, re.IGNORECASE) else f"https://{raw}"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or "." not in parts.netloc or " " in url:
        raise AnswerError(f'"{raw}" is not a web address ({HINTS["url"]})')
    return url


def parse_file(raw: str, base: Path | None = None) -> Path:
    """An existing file; quotes from dragging a file into the terminal are removed."""
    path = Path(raw.strip().strip("'\"")).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    if path.is_dir():
        raise AnswerError(f"{path} is a folder: give the path of one file inside it")
    if not path.is_file():
        raise AnswerError(f"{path}: there is no such file (check the name and the folder)")
    return path


def _match_choice(raw: Any, options: list[Choice]) -> str | bool:
    for option in options:
        if raw == option.value:
            return option.value
    wanted = str(raw).strip().lower()
    for option in options:
        if wanted in (str(option.value).lower(), option.label.lower()):
            return option.value
    labels = ", ".join(str(option.value) for option in options)
    raise AnswerError(f'"{raw}" is not one of the choices (use one of: {labels})')


def parse_yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in ("yes", "y", "true"):
        return True
    if word in ("no", "n", "false"):
        return False
    raise AnswerError(f'"{raw}" is not yes or no (answer yes or no)')


def parse_police_force(raw: str) -> str:
    """A force from the legal data list; a unique part of its name is enough."""
    names = force_names(load_law())
    wanted = raw.strip().lower()
    exact = [name for name in names if name.lower() == wanted]
    if exact:
        return exact[0]
    close = [name for name in names if wanted and wanted in name.lower()]
    if len(close) == 1:
        return close[0]
    if close:
        raise AnswerError(f'"{raw}" matches several forces ({", ".join(close[:4])}): say which')
    raise AnswerError(f'"{raw}" is not a UK police force I know (type part of its name)')


def parse_answer(
    question: Question,
    raw: Any,
    *,
    today: date,
    choices: list[Choice] | None = None,
    base: Path | None = None,
) -> Any:
    """Turn one answer into what the case file stores, or raise AnswerError saying why not.

    ``None`` means "no answer" (skipped); a required question refuses that. The same function
    checks typed answers and answers files, so nothing reaches the case file by another door.
    """
    kind = question.type
    if kind in ("list", "multi_choice", "file"):
        items = raw if isinstance(raw, list) else ([] if raw is None else [raw])
        if kind == "list" and isinstance(raw, str):
            items = raw.splitlines()
        if kind == "multi_choice":
            value: Any = [_match_choice(item, choices or []) for item in items]
        elif kind == "file":
            value = [parse_file(str(item), base) for item in items if _text(item)]
        else:
            value = [text for item in items if (text := _text(item))]
        if not value:
            value = None
    elif kind == "yes_no":
        value = None if _text(raw) is None else parse_yes_no(raw)
    elif kind == "choice":
        value = None if _text(raw) is None else _match_choice(raw, choices or [])
    elif kind == "long_text":
        value = _text(raw.replace("\r\n", "\n") if isinstance(raw, str) else raw)
    else:
        text = _text(raw)
        value = None if text is None else _parse_scalar(question, text, today)
    if value is None and question.required:
        raise AnswerError("this one is needed for your documents, so please answer it")
    return value


def _parse_scalar(question: Question, text: str, today: date) -> Any:
    """Check one typed answer; dates come back as ISO text, as the case file stores them."""
    kind = question.type
    try:
        if kind == "time":
            return parse_time(text).strftime("%H:%M")
        moment: date | None = None
        if kind == "date":
            moment = parse_date(text, today)
        elif kind == "datetime":
            moment = parse_moment(text, today)
    except DateFormatError as exc:
        raise AnswerError(str(exc)) from None
    if isinstance(moment, date):
        if question.past and uk_day(moment) > today:
            raise AnswerError(f'"{text}" is in the future: give the date it happened ({DATE_HINT})')
        return moment.isoformat()
    parsers = {
        "email": parse_email,
        "uk_phone": parse_uk_phone,
        "uk_postcode": parse_uk_postcode,
        "url": parse_url,
        "police_force": parse_police_force,
    }
    return parsers[kind](text) if kind in parsers else text


# --------------------------------------------------------------------------- loading


def _unwrap(annotation: Any) -> Any:
    """Drop ``Optional``/``Annotated`` wrappers to reach the real type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _literal_values(annotation: Any) -> set[Any] | None:
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) is list:
        annotation = _unwrap(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) is Literal:
        return set(typing.get_args(annotation))
    return None


class _Problem(ValueError):
    """What is wrong with a question, and where inside it (a path in the file, for its line)."""

    def __init__(self, message: str, where: tuple = ()) -> None:
        super().__init__(message)
        self.where = where


def _check_question(question: Question, model: type[BaseModel]) -> None:
    """Check a question against the case model and the law data; raise _Problem if broken."""
    for name in ("prompt", "help", "warning", "item_label", "item_number", "review", "sensitive"):
        try:
            _check_template(getattr(question, name))
        except ValueError as exc:
            raise _Problem(str(exc), (name,)) from None
    if question.choices_from:
        try:
            _check_template(question.choices_from.label)
        except ValueError as exc:
            raise _Problem(str(exc), ("choices_from", "label")) from None
    for name in ("when", "warning_when"):
        condition = getattr(question, name)
        if condition:
            try:
                _expression(condition)
            except TemplateSyntaxError as exc:
                raise _Problem(
                    f"'when' condition {condition!r} is not valid ({exc})", (name,)
                ) from None
    if question.type == "notice":
        return
    annotation: Any = None
    owner: type[BaseModel] = model
    for position, part in enumerate(question.path):
        field = owner.model_fields.get(part)
        if field is None:
            raise _Problem(f"id {question.id!r}: {part!r} is not a field of the case file", ("id",))
        annotation = _unwrap(field.annotation)
        if position < len(question.path) - 1:
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                raise _Problem(f"id {question.id!r}: {part!r} has no fields inside it", ("id",))
            owner = annotation
        else:
            question.required = field.is_required()
    is_list = typing.get_origin(annotation) is list
    if question.type == "group":
        inner = _unwrap(typing.get_args(annotation)[0]) if is_list else None
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            raise _Problem(f"id {question.id!r}: a group must fill a list of records", ("id",))
        ids = [child.id for child in question.questions]
        if len(ids) != len(set(ids)):
            raise _Problem(f"group {question.id!r} asks the same id twice", ("questions",))
        for position, child in enumerate(question.questions):
            try:
                _check_question(child, inner)
            except _Problem as exc:
                raise _Problem(
                    f"in group {question.id!r}, question {child.id!r}: {exc}",
                    ("questions", position, *exc.where),
                ) from None
        return
    if question.type in ("list", "multi_choice", "file") and not is_list:
        raise _Problem(
            f"id {question.id!r}: a {question.type} question must fill a list", ("type",)
        )
    allowed = _literal_values(annotation)
    for position, choice in enumerate(question.choices or []):
        if allowed is not None and choice.value not in allowed:
            raise _Problem(
                f"choice {choice.value!r} is not allowed here (use: {sorted(allowed)})",
                ("choices", position),
            )


_LAW_REFERENCE = re.compile(r"\blaw((?:\.[A-Za-z_]\w*)+)")


def _check_template(source: str | None) -> None:
    """The template compiles, and every ``law.a.b`` it names exists in the legal data."""
    if not source:
        return
    try:
        _template(source)
    except TemplateSyntaxError as exc:
        raise ValueError(f"the text {source[:40]!r}… has a template mistake ({exc})") from None
    law = load_law()
    for match in _LAW_REFERENCE.finditer(source):
        node: Any = law
        for key in match[1].strip(".").split("."):
            if not isinstance(node, dict) or key not in node:
                raise ValueError(f"law{match[1]} is not in the legal data (law/facts.yaml)")
            node = node[key]


def line_of(origin: Path | str, lines: dict[tuple, int], where: tuple) -> str:
    """'FILE line N' for the deepest part of ``where`` with a line from ``read_yaml_with_lines``."""
    for end in range(len(where), -1, -1):
        if where[:end] in lines:
            return f"{origin} line {lines[where[:end]]}"
    return str(origin)


def _named(raw: Any, loc: tuple) -> str:
    """'question "x" (field)' for a pydantic error location: the deepest question with an id."""
    node, named = raw, "the file"
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and "id" in node:
            named = f"question {node['id']!r}"
    field = ".".join(str(p) for p in loc if not isinstance(p, int))
    return f"{named} ({field})" if field else named


def load_section(path: Path) -> Section:
    """Read and check one questionnaire file; a problem is one line naming file, line, question."""
    raw, lines = read_yaml_with_lines(path.read_text(encoding="utf-8"), str(path))
    if not isinstance(raw, dict):
        raise UserError(f"{path}: a questionnaire must start with 'section:' and 'questions:'")
    try:
        section = Section.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        raise UserError(
            f"{line_of(path, lines, loc)}: {_named(raw, loc)}: {message} (fix it in the "
            "questionnaire)"
        ) from None
    section.file = path
    try:
        _check_template(section.intro)
    except ValueError as exc:
        raise UserError(f"{line_of(path, lines, ('intro',))}: intro: {exc}") from None
    for index, question in enumerate(section.questions):
        try:
            _check_question(question, Case)
        except _Problem as exc:
            where = line_of(path, lines, ("questions", index, *exc.where))
            raise UserError(
                f"{where}: question {question.id!r}: {exc} (fix it in the questionnaire)"
            ) from None
    return section


def load_questionnaires(directory: Path | None = None) -> list[Section]:
    """Every ``*.yaml`` questionnaire in ``directory`` (the shipped ones by default), in order."""
    directory = Path(directory) if directory else DEFAULT_QUESTIONNAIRES
    if not directory.is_dir():
        raise UserError(f"{directory}: no such questionnaires folder (check the path)")
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise UserError(f"{directory}: holds no questionnaire (*.yaml) files")
    sections = sorted((load_section(path) for path in files), key=lambda s: (s.order, s.file))
    seen: dict[str, Path] = {}
    for section in sections:
        if section.section in seen:
            raise UserError(
                f"{section.file}: section name {section.section!r} is already used by "
                f"{seen[section.section]} (give each section its own name)"
            )
        seen[section.section] = section.file
    return sections
