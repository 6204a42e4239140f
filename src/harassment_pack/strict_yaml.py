"""Strict YAML for files people edit by hand: one reading, or one line saying what is wrong where.

Why: PyYAML quietly accepts things that lose a person's words or exhaust the machine. A second
``incidents:`` block replaced all seventeen incidents with one; a 24 KB file of nested aliases
grew to gigabytes; ``!!python``-style tags and pasted control characters ended in tracebacks.
So case files, answers files and questionnaires are read here, and refused with the file, the
line and the fix when they hold:

- a key twice in one group (the second would silently replace the first);
- anchors, aliases or tags (``&name``, ``*name``, ``!!int``): nothing harassment-pack writes uses
  them, and aliases are how a tiny file becomes a huge one;
- raw control characters, groups nested deeper than anyone writes by hand, or a file larger than
  ``HARASSMENT_PACK_MAX_CASE_MB`` (50 MB unless raised).

It is fast as well as strict: libyaml's C parser (``CSafeLoader``) produces the events and one
loop here builds the dicts and lists, recording the line of every value for error messages, so
a case of thousands of imported messages loads in a fraction of the time PyYAML's pure-Python
loader takes. Dates are left as text, so the case model gives its own message for 31/02/2026.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from .errors import UserError

MAX_MB_ENV = "HARASSMENT_PACK_MAX_CASE_MB"
DEFAULT_MAX_MB = 50
MAX_DEPTH = 40
"""Deepest nesting accepted; a case file needs about six levels."""

_STR = "tag:yaml.org,2002:str"
_FIX = (
    'check the indentation and quotes; put text that contains ": " or starts with a symbol '
    "in double quotes"
)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser with YAML 1.1 dates left as text (our date parser gives the message)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_NO_KEY = object()


def max_bytes() -> int:
    """Largest YAML file read: ``HARASSMENT_PACK_MAX_CASE_MB`` megabytes, else 50."""
    text = os.environ.get(MAX_MB_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_MB * 1024 * 1024
    try:
        value = float(text)
        if not value > 0:
            raise ValueError
    except ValueError:
        raise UserError(
            f"{MAX_MB_ENV}={text!r} is not a size in megabytes (unset it, or set e.g. "
            f"{MAX_MB_ENV}=200)"
        ) from None
    return int(value * 1024 * 1024)


def check_size(path: Path) -> None:
    """Refuse a YAML file larger than the limit before reading a byte of it."""
    limit = max_bytes()
    size = path.stat().st_size
    if size > limit:
        raise UserError(
            f"{path}: the file is {size / 1024 / 1024:.0f} MB, more than the "
            f"{limit / 1024 / 1024:g} MB harassment-pack reads (if it really is this large, "
            f"raise the limit with {MAX_MB_ENV}={int(size / 1024 / 1024) + 10})"
        )


def read_limited(path: Path) -> str:
    """A YAML file's text, refused before reading when larger than the limit or not UTF-8."""
    check_size(path)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: byte {exc.start} is not UTF-8 text (save it as UTF-8)") from None


def read_yaml_with_lines(text: str, origin: str) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML strictly and remember the line of every value, keyed by its path."""
    loader = _Loader(text)
    try:
        return _build(loader, origin)
    except yaml.reader.ReaderError as exc:
        line = text.encode("utf-8", "surrogatepass")[: exc.position].count(b"\n") + 1
        raise UserError(
            f"{origin} line {line}: holds a control character (code {exc.character:#04x}) that "
            "cannot be in a text file, probably pasted by accident (delete it, or retype the "
            "line)"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin} line {mark.line + 1}" if mark else origin
        problem = getattr(exc, "problem", None) or "is not valid YAML"
        raise UserError(f"{where}: {problem} ({_FIX})") from None
    finally:
        loader.dispose()


def _refuse(origin: str, event: Any, what: str) -> UserError:
    return UserError(f"{origin} line {event.start_mark.line + 1}: {what}")


def _build(loader: Any, origin: str) -> tuple[Any, dict[tuple, int]]:
    """One pass over libyaml's events: the data, the line of each value, every check."""
    resolve = loader.resolve
    constructors = loader.yaml_constructors
    lines: dict[tuple, int] = {(): 1}
    key_lines: dict[tuple, int] = {}  # where each key is written (lines may hold its value's)
    stack: list[list[Any]] = []  # [container, its path, key waiting for its value, is a mapping]
    root: Any = None
    documents = 0
    while True:
        event = loader.get_event()
        kind = event.__class__
        if kind is StreamEndEvent:
            break
        if kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _refuse(
                    origin, event, "a second document starts here ('---'); a file holds one "
                    "(remove the line with '---' or put the rest in its own file)",
                )  # fmt: skip
            continue
        if kind is AliasEvent:
            raise _refuse(
                origin, event, f"'*{event.anchor}' repeats another value by alias, which "
                "harassment-pack does not accept (write the value out in full)",
            )  # fmt: skip
        if kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None:
                raise _refuse(
                    origin, event, f"'&{event.anchor}' is a YAML anchor, which harassment-pack "
                    "does not accept (remove it and write any repeated value out in full)",
                )  # fmt: skip
            if event.tag is not None:
                raise _refuse(
                    origin, event, f"'{event.tag.replace('tag:yaml.org,2002:', '!!')}' is a "
                    "YAML tag, which harassment-pack does not accept (remove it; put the value "
                    "in double quotes if it is text)",
                )  # fmt: skip
        else:
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                stack.pop()
            continue

        if kind is ScalarEvent:
            if event.style:  # quoted or a | > block: always text
                value: Any = event.value
            else:
                tag = resolve(yaml.ScalarNode, event.value, (True, False))
                value = event.value if tag == _STR else constructors[tag](
                    loader, yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
                )  # fmt: skip
        else:
            value = {} if kind is MappingStartEvent else []
            if len(stack) >= MAX_DEPTH:
                raise _refuse(
                    origin, event, f"groups are nested more than {MAX_DEPTH} deep, deeper than "
                    "any case file needs (check the indentation)",
                )  # fmt: skip

        if not stack:
            root = value
            path: tuple = ()
        else:
            top = stack[-1]
            container, parent = top[0], top[1]
            if top[3]:
                key = top[2]
                if key is _NO_KEY:
                    if kind is not ScalarEvent:
                        raise _refuse(origin, event, f"a group cannot be a field name ({_FIX})")
                    if value in container:
                        first = key_lines.get((*parent, value))
                        raise _refuse(
                            origin, event, f"'{value}' appears twice in the same group (also on "
                            f"line {first}); the second would replace the first, so merge them "
                            "into one",
                        )  # fmt: skip
                    top[2] = value
                    key_lines[(*parent, value)] = lines[(*parent, value)] = (
                        event.start_mark.line + 1
                    )
                    continue
                container[key] = value
                top[2] = _NO_KEY
                path = (*parent, key)
            else:
                path = (*parent, len(container))
                container.append(value)
                lines[path] = event.start_mark.line + 1
        if kind is not ScalarEvent:
            lines[path] = event.start_mark.line + 1
            stack.append([value, path, _NO_KEY, kind is MappingStartEvent])
    return root, lines
