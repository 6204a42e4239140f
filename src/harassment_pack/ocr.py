"""Searchable screenshots: tesseract reads the words, the pack lays them invisibly over the image.

Why: the bundle guidance asks for searchable text, and a judge or solicitor looking for "regret
it" should find the screenshot that says it. Tesseract (Debian's ``tesseract-ocr``) runs as a
separate program on this computer, so nothing leaves the machine. What it read is cached in the
case folder, keyed by the evidence file's registered SHA-256 and the pixel size read (see
pack.py), so building again, into any output folder, costs nothing for screenshots already read
and does not even decode them.

Tesseract is run with one thread per process (``OMP_THREAD_LIMIT=1``): on a small machine its
default thread pool made a 1200 by 700 pixel screenshot take 1.4 s instead of 0.25 s.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UserError
from .files import make_private_dir, write_private

if TYPE_CHECKING:  # imported where used: a build makes its OcrGate before soffice starts
    from PIL import Image
    from reportlab.pdfgen.canvas import Canvas

LANGUAGE = "eng"
TIMEOUT = 120
INSTALL_HINT = (
    "tesseract (which makes screenshots in the pack searchable) is not installed: install it "
    "with 'sudo apt-get install tesseract-ocr tesseract-ocr-eng' (or run ./scripts/setup.sh), "
    "then try again"
)
LANGUAGE_HINT = (
    "tesseract cannot read English text because its language data is missing: install it "
    "with 'sudo apt-get install tesseract-ocr-eng', then try again"
)


@dataclass(frozen=True)
class Line:
    """One line of recognised text and its box in image pixels (origin top left)."""

    text: str
    left: int
    top: int
    width: int
    height: int


class OcrGate:
    """How many pictures are read (by tesseract, or decoded for it) at once.

    Why: a build starts reading screenshots while LibreOffice converts its documents, and the
    process tree's peak is soffice (about 145 MB resident) beside Python and each tesseract
    (about 65 MB). For a small case (``small``: its files under build.PARALLEL_BYTES) one
    core is left to LibreOffice and the others read, so that its few pictures are read in
    the time conversion takes anyway. A big case reads none while converting: its pictures
    take minutes to read and conversion seconds, so waiting costs a few seconds of one core,
    while one tesseract beside soffice took the 500-screenshot tree from under 300 MB to 326.
    Once conversion has finished (``widen``), every core reads. One gate serves all of a
    build's pictures.
    """

    def __init__(self, *, converting: bool = False, small: bool = True) -> None:
        self.cores = os.cpu_count() or 1
        beside = max(1, self.cores - 1) if small else 0
        self._open = beside if converting else self.cores
        self._reading = 0
        self._changed = threading.Condition()

    def widen(self) -> None:
        """Conversion has finished: read on every core."""
        with self._changed:
            self._open = self.cores
            self._changed.notify_all()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait for a free place, then hold it while one picture is read."""
        with self._changed:
            self._changed.wait_for(lambda: self._reading < self._open)
            self._reading += 1
        try:
            yield
        finally:
            with self._changed:
                self._reading -= 1
                self._changed.notify()


def find_tesseract() -> str:
    """The tesseract program, or a UserError naming the package to install."""
    path = shutil.which("tesseract")
    if not path:
        raise UserError(INSTALL_HINT)
    return path


def recognise(image: Image.Image | Path, cache: Path | None = None) -> list[Line]:
    """The lines of text in ``image``, read by tesseract, or from ``cache`` when it was read before.

    ``image`` is a picture file tesseract opens itself (no decoding or re-encoding here), or
    decoded pixels; ``cache`` is the file that keeps what was read.
    """
    if cache is not None and cache.is_file():
        return _lines(cache.read_text(encoding="utf-8"))
    tesseract = find_tesseract()
    if isinstance(image, Path):
        tsv = _run_tesseract([tesseract, str(image.resolve())], None)
    else:
        buffer = io.BytesIO()
        pixels = image if image.mode in ("RGB", "L") else image.convert("RGB")
        pixels.save(buffer, format="PPM")  # uncompressed: nothing to spend on compressing
        tsv = _run_tesseract([tesseract, "stdin"], buffer.getvalue())
    if cache is not None:
        make_private_dir(cache.parent)
        write_private(cache, tsv.encode("utf-8"))
    return _lines(tsv)


def _run_tesseract(program_and_source: list[str], data: bytes | None) -> str:
    command = [*program_and_source, "stdout", "-l", LANGUAGE, "tsv"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        result = subprocess.run(
            command, input=data, capture_output=True, timeout=TIMEOUT, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise UserError(
            f"tesseract took longer than {TIMEOUT} seconds to read a screenshot and was stopped; "
            "try again, or add a smaller screenshot"
        ) from None
    errors = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        if "traineddata" in errors or "Failed loading language" in errors:
            raise UserError(LANGUAGE_HINT)
        detail = (errors.strip().splitlines() or ["no message"])[-1]
        raise UserError(f"tesseract could not read a screenshot ({detail}); run it again")
    return result.stdout.decode("utf-8", "replace")


def _lines(tsv: str) -> list[Line]:
    """Group tesseract's words (level 5 rows) into lines, keeping each line's box."""
    grouped: dict[tuple[str, str, str, str], list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5" or not (row.get("text") or "").strip():
            continue
        key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
        grouped.setdefault(key, []).append(row)
    lines = []
    for words in grouped.values():
        left = min(int(w["left"]) for w in words)
        top = min(int(w["top"]) for w in words)
        right = max(int(w["left"]) + int(w["width"]) for w in words)
        bottom = max(int(w["top"]) + int(w["height"]) for w in words)
        text = " ".join(w["text"].strip() for w in words)
        lines.append(Line(text, left, top, right - left, bottom - top))
    return lines


def draw_invisible_text(
    pdf: Canvas, lines: list[Line], x: float, top: float, scale: float, font: str
) -> None:
    """Lay the lines over an image drawn at (x, top) with ``scale`` points per pixel.

    Render mode 3 draws nothing, so the image looks unchanged, but the text can be searched,
    selected and copied. Each line is stretched to the width tesseract measured.
    """
    from reportlab.pdfbase import pdfmetrics

    for line in lines:
        height = line.height * scale
        width = line.width * scale
        if height <= 0 or width <= 0:
            continue
        size = max(height, 1.0)
        natural = pdfmetrics.stringWidth(line.text, font, size)
        if natural <= 0:
            continue
        text = pdf.beginText()
        text.setTextRenderMode(3)
        text.setFont(font, size)
        text.setHorizScale(100 * width / natural)
        text.setTextOrigin(x + line.left * scale, top - (line.top + line.height) * scale)
        text.textOut(line.text)
        pdf.drawText(text)
