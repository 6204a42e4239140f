"""Evidence schedule: every exhibit with its label, description, date and SHA-256 fingerprint."""

from __future__ import annotations

import mimetypes
from typing import Any

from babel.numbers import format_decimal

from ..dates import LOCALE
from ..evidence import TEXT_TYPES, fingerprint_text
from .common import CaseView

TITLE = "Evidence schedule"


def applies(view: CaseView) -> str | None:
    return None


def _size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{format_decimal(size / 1024, '#,##0.#', locale=LOCALE)} KB"
    return f"{format_decimal(size / 1024 / 1024, '#,##0.#', locale=LOCALE)} MB"


def _is_text(media_type: str | None, file: str) -> bool:
    """A text export (chat, e-mail text, CSV): printed as an extract, attached in full."""
    return (media_type or mimetypes.guess_type(file)[0] or "") in TEXT_TYPES


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _kind(media_type: str | None) -> str:
    if not media_type:
        return "File"
    major, _, minor = media_type.partition("/")
    if major == "image":
        return f"{minor.upper()} picture"
    if media_type == "application/pdf":
        return "PDF document"
    if media_type in ("text/plain", "text/csv"):
        return "Text file"
    return {"video": "Video", "audio": "Audio recording"}.get(major, "File")


def build(view: CaseView) -> dict[str, Any]:
    rows = []
    numbers = view.numbers
    for item in view.case.evidence:
        cited = [numbers[i.id] for i in view.incidents_citing(item)]
        note = ""
        if item.sensitive:
            note = "Marked sensitive: described here, not reproduced in the pack."
        elif _is_text(item.media_type, item.file):
            note = (
                "The pack prints the lines the documents cite, with the lines around them; the "
                "complete file is attached to the pack and the court bundle as a file."
            )
        rows.append(
            {
                "label": view.labels[item.id],
                "description": item.description,
                "note": note,
                "captured": view.when_text(item.captured) if item.captured else "not recorded",
                "incidents": ", ".join(cited) or "not yet linked to an incident",
                # The kind of file, not its name: this schedule is served, and a name can say
                # more than the exhibit should.
                "file": _kind(item.media_type),
                "size": _size(item.size),
                "fingerprint": _first_upper(fingerprint_text(item)),
            }
        )
    empty = "" if rows else "No evidence files have been added to this case yet."
    return {"exhibits": rows, "exhibits_empty": empty}
