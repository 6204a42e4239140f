"""Render a docxtpl template with a document's context, treating every user word as data.

Templates are Jinja inside Word files. User text never becomes template code: it only ever
arrives as a context value, Jinja autoescaping turns ``& < > " '`` into XML entities, and
characters that XML 1.0 forbids (control codes pasted from chats) are removed so Word and
LibreOffice can open the result. Templates run in Jinja's sandbox, because ``--templates DIR``
lets a firm supply its own files.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import marshal
import os
import re
import sys
import traceback
import types
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import jinja2
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from .errors import UserError
from .files import make_private_dir, write_private

_COMPILED_MAGIC = b"harassment-pack jinja code 1\n"


def _cache_dir() -> Path | None:
    """The user's private cache of compiled template code, or None when it cannot be made."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    try:
        return make_private_dir(Path(base) / "harassment-pack" / "templates")
    except (OSError, RuntimeError):  # no home folder, or one that cannot be written
        return None


class _CompiledOnce(SandboxedEnvironment):
    """Jinja's sandbox, compiling each template source once.

    Why: turning a document's XML into Python code (lexing, parsing, compiling) was about a
    third of rendering it, and a template only changes with a new version or a firm's edit.
    Code is found by the SHA-256 of the source together with everything that shapes the code
    (Jinja's and Python's versions, the sandbox, autoescaping, undefined), so a changed
    template or setting compiles afresh. Document parts (``MIN_CACHED`` characters or more)
    are kept in the user's own cache folder (0700, like Python's compiled files); the short
    document properties are kept for this process only. Only template text is compiled here,
    never case data, which arrives as the context.
    """

    MIN_CACHED = 1000
    _compiled: ClassVar[dict[str, types.CodeType]] = {}

    def from_string(self, source, globals=None, template_class=None):  # type: ignore[override]
        if not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        flavour = repr(
            (jinja2.__version__, sys.version, type(self).__name__, self.autoescape,
             self.undefined.__name__)
        )  # fmt: skip
        key = hashlib.sha256(f"{flavour}\0{source}".encode("utf-8", "surrogatepass")).hexdigest()
        code = self._compiled.get(key)
        folder = _cache_dir() if code is None and len(source) >= self.MIN_CACHED else None
        path = folder / f"{key}.code" if folder else None
        if code is None and path is not None:
            with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
                data = path.read_bytes()
                if data.startswith(_COMPILED_MAGIC):
                    loaded = marshal.loads(data[len(_COMPILED_MAGIC) :])
                    code = loaded if isinstance(loaded, types.CodeType) else None
        if code is None:
            code = self.compile(source)
            if path is not None:
                with contextlib.suppress(OSError):
                    write_private(path, _COMPILED_MAGIC + marshal.dumps(code))
        self._compiled[key] = code
        cls = template_class or self.template_class
        return cls.from_code(self, code, self.make_globals(globals), None)


_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    """Remove the characters XML 1.0 cannot hold, and make every line ending one line break.

    A Windows (CR LF) or old Mac (CR) line ending in pasted text would otherwise become two
    line breaks, or none, on the page; everything else survives verbatim.
    """
    return _XML_FORBIDDEN.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


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
    text = clean_text(text)
    if re.search(r"\n[ \t]*\n", text.strip()):
        blocks = re.split(r"\n[ \t]*\n", text)
        return [
            " ".join(line.strip() for line in b.splitlines()).strip() for b in blocks if b.strip()
        ]
    return lines(text)


_BREAK_AFTER = re.compile(r"([/._?&=#]|(?<=\w)@)(?=[^\s/._@?&=#])")
"""Where a link may wrap: after '/', '.', '_' … and the '@' inside an e-mail, never after the
'@' that starts a handle."""
ZERO_WIDTH_SPACE = "\u200b"


def breakable(text: str | None) -> str:
    """A link, handle, e-mail or path that may wrap only after '/', '.', '_', '@' and the like.

    A narrow table column otherwise breaks it anywhere ('…/status/20861775060⏎89118524'). The
    zero-width space is invisible, and LibreOffice leaves it out of the PDF's text, so a link
    copied from the PDF still works.
    """
    return _BREAK_AFTER.sub(r"\1" + ZERO_WIDTH_SPACE, text or "")


def lines(text: str | None) -> list[str]:
    """Exact words, one entry per non-blank line: messages are quoted line for line, unjoined."""
    if not text:
        return []
    return [line.strip() for line in clean_text(text).splitlines() if line.strip()]


def render_docx(template: Path, context: Mapping[str, Any], out_path: Path) -> Path:
    """Render ``template`` with ``context`` into ``out_path`` (written atomically, mode 0600)."""
    try:
        document = DocxTemplate(str(template))
        document.get_docx()  # a file that is not a Word document fails here, not mid-render
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, PackageNotFoundError):
        raise UserError(
            f"{template}: is not a Word document (.docx) that can be opened (save it from Word "
            "or LibreOffice as .docx, or build without --templates to use the defaults)"
        ) from None
    try:
        # StrictUndefined: a misspelt {{ name }} in a template is an error, not a silent blank.
        environment = _CompiledOnce(undefined=StrictUndefined)
        document.render(clean(dict(context)), jinja_env=environment, autoescape=True)
        if context.get("pdf_title"):
            # LibreOffice carries the title into the PDF, where screen readers announce it.
            document.core_properties.title = clean_text(str(context["pdf_title"]))
    except TemplateError as exc:
        where = template_error_place(document, exc)
        raise UserError(
            f"{template}: {where + ': ' if where else ''}the template has a mistake in its "
            f"{{{{ }}}} or {{% %}} tags ({exc.message}); fix it in Word, or build without "
            "--templates to use the defaults"
        ) from None
    buffer = io.BytesIO()
    document.save(buffer)
    write_private(out_path, buffer.getvalue())
    return out_path


# --------------------------------------------------------------------------- template errors


def _template_line(exc: TemplateError) -> int | None:
    """The line of docxtpl's Jinja source where the error is: given for syntax errors, and in
    the traceback (Jinja rewrites it to name '<template>') for errors while rendering."""
    line = getattr(exc, "lineno", None)
    if line:
        return line
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<template>"]
    return frames[-1].lineno if frames else None


def template_error_place(document: DocxTemplate, exc: TemplateError) -> str:
    """Where a firm's template went wrong, as a person finds it in Word: 'paragraph 14
    ("Prepared by … {{ applicant.nmae }}")', 'table 2, row 3, cell 1 (…)' or 'the footer (…)'.

    docxtpl puts every ``<w:p>`` of the part it renders on its own line before Jinja sees it, so
    the error's line is one paragraph; its text is then looked up in the document as written.
    Returns '' when the place cannot be told (a block never closed is reported at the very end).
    """
    part = getattr(document, "current_rendering_part", None)
    line = _template_line(exc)
    if part is None or line is None:
        return ""
    body = part is document.docx._part
    xml = document.get_xml() if body else document.get_part_xml(part)
    source = re.sub(r"<w:p([ >])", r"\n<w:p\1", document.patch_xml(xml)).splitlines()
    if "end of template" in str(exc.message):
        line = _unclosed_block(source)  # Jinja reports a missing {% endif %} at the very end
    if line is None or not 0 < line <= len(source):
        return ""
    text = _words(html.unescape(re.sub(r"<[^>]+>", "", source[line - 1])))
    quoted = f"\u201c{text[:80]}{'…' if len(text) > 80 else ''}\u201d"
    if not body:
        kind = "header" if "header" in str(part.partname) else "footer"
        return f"in the {kind} ({quoted})"
    for place, written in _places(document.docx):
        if text and (text == written or text in written):
            return f"{place} ({quoted})"
    return f"near the text {quoted}" if text else ""


_BLOCK_TAG = re.compile(r"{%-?\s*(\w+)")
_BLOCKS = {"if", "for", "with", "macro", "call", "filter", "set", "raw", "block"}


def _unclosed_block(source: list[str]) -> int | None:
    """The line of the innermost {% if %} / {% for %} … that is never closed."""
    opened: list[tuple[str, int]] = []
    for number, text in enumerate(source, start=1):
        for word in _BLOCK_TAG.findall(text):
            if word in _BLOCKS and not (word == "set" and "=" in text):
                opened.append((word, number))
            elif word.startswith("end") and opened and opened[-1][0] == word[3:]:
                opened.pop()
    return opened[-1][1] if opened else None


def _words(text: str) -> str:
    return " ".join(text.split())


def _places(docx: Any) -> Iterator[tuple[str, str]]:
    """Each paragraph of the body as Word shows it, with where it is: 'paragraph 3', or
    'table 2, row 1, cell 4' for a paragraph inside a table."""
    paragraph = table = 0
    for block in docx.iter_inner_content():
        if hasattr(block, "rows"):
            table += 1
            for r, row in enumerate(block.rows, start=1):
                for c, cell in enumerate(row.cells, start=1):
                    for inner in cell.paragraphs:
                        yield f"table {table}, row {r}, cell {c}", _words(inner.text)
        else:
            paragraph += 1
            yield f"paragraph {paragraph}", _words(block.text)
