"""Render a docxtpl template with a document's context, treating every user word as data.

Templates are Jinja inside Word files. User text never becomes template code: it only ever
arrives as a context value, Jinja autoescaping turns ``& < > " '`` into XML entities, and
characters that XML 1.0 forbids (control codes pasted from chats) are removed so Word and
LibreOffice can open the result. Templates run in Jinja's sandbox, because ``--templates DIR``
lets a firm supply its own files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from .errors import UserError
from .files import write_private

_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    """Remove the characters XML 1.0 cannot hold; everything else survives verbatim."""
    return _XML_FORBIDDEN.sub("", text)


def clean(value: Any) -> Any:
    """``clean_text`` applied to every string inside a context (dicts, lists, tuples)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return value


def paragraphs(text: str | None) -> list[str]:
    """Split a long answer into paragraphs.

    Text with blank lines between its paragraphs (a YAML block, an e-mail) keeps those
    paragraphs and rejoins the lines wrapped inside them; text without blank lines (typed line by
    line in the interview) becomes one paragraph per line.
    """
    if not text:
        return []
    text = clean_text(text).replace("\r\n", "\n")
    if re.search(r"\n[ \t]*\n", text.strip()):
        blocks = re.split(r"\n[ \t]*\n", text)
        return [
            " ".join(line.strip() for line in b.splitlines()).strip() for b in blocks if b.strip()
        ]
    return lines(text)


def lines(text: str | None) -> list[str]:
    """Exact words, one entry per non-blank line: messages are quoted line for line, unjoined."""
    if not text:
        return []
    return [line.strip() for line in clean_text(text).splitlines() if line.strip()]


def render_docx(template: Path, context: Mapping[str, Any], out_path: Path) -> Path:
    """Render ``template`` with ``context`` into ``out_path`` (written atomically, mode 0600)."""
    try:
        document = DocxTemplate(str(template))
        # StrictUndefined: a misspelt {{ name }} in a template is an error, not a silent blank.
        environment = SandboxedEnvironment(undefined=StrictUndefined)
        document.render(clean(dict(context)), jinja_env=environment, autoescape=True)
    except TemplateError as exc:
        raise UserError(
            f"{template}: the template has a mistake in its {{{{ }}}} or {{% %}} tags "
            f"({exc.message}); fix it in Word, or build without --templates to use the defaults"
        ) from None
    buffer = io.BytesIO()
    document.save(buffer)
    write_private(out_path, buffer.getvalue())
    return out_path
