"""The OCR text layer: the real tesseract reads screenshots, and the words are in the pack."""

from __future__ import annotations

import os
import re
import threading

import pytest
from PIL import Image, ImageDraw, ImageFont

from harassment_pack.errors import UserError
from harassment_pack.ocr import OcrGate, find_tesseract, recognise

from .conftest import SAMPLES

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _exhibit_page_text(jane_build, jane_pack, label: str) -> str:
    entry = next(e for e in jane_build.pack.entries[-1].children if e.title.startswith(
        f"Exhibit {label} "))  # fmt: skip
    return jane_pack.pages[entry.page - 1].extract_text()


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("JS/2", "If you go to the police you will regret it"),
        ("JS/4", "I still have the photos from Cornwall"),
        ("JS/5", "Blue door, top bell"),
    ],
)
def test_exhibit_pages_carry_the_screenshot_words(jane_build, jane_pack, label, words):
    text = _flat(_exhibit_page_text(jane_build, jane_pack, label))
    # Tesseract may read a capital I as "|" in these fonts; both are the same words to a search.
    assert words in text.replace("|", "I"), text


def test_the_ocr_text_is_invisible_and_the_image_is_still_there(jane_build, jane_pack):
    entry = jane_build.pack.entries[-1].children[1]  # JS/2, a portrait screenshot
    page = jane_pack.pages[entry.page - 1]
    content = page.get_contents().get_data()
    assert b"3 Tr" in content  # render mode 3: no ink, only searchable text
    assert list(page.images), "the screenshot itself must still be drawn"


def test_the_text_export_exhibit_has_no_ocr(jane_build, jane_pack):
    # JS/1 is a .txt chat export: its header page has no image, so no invisible OCR layer;
    # the text itself follows on its own pages (tests/test_pack.py).
    text = _exhibit_page_text(jane_build, jane_pack, "JS/1")
    assert "The complete file, unchanged, is attached" in text and "Answer me" not in text


def test_recognise_reads_pixels_or_a_file_once_and_caches_it(tmp_path):
    image = Image.new("RGB", (900, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.text((30, 50), "Delete your account tonight", fill="black",
              font=ImageFont.truetype(FONT, 44))  # fmt: skip
    cache = tmp_path / "cache" / "picture.tsv"
    lines = recognise(image, cache)
    assert _flat(" ".join(line.text for line in lines)) == "Delete your account tonight"
    box = lines[0]
    assert 20 <= box.left <= 40 and 40 <= box.top <= 70 and box.width > 500
    assert cache.stat().st_mode & 0o777 == 0o600
    # The second read comes from the cache, not from tesseract.
    cache.write_text(re.sub("tonight", "today", cache.read_text()), encoding="utf-8")
    assert "today" in " ".join(line.text for line in recognise(image, cache))
    # A file tesseract opens itself gives the same words, without decoding it here.
    image.save(tmp_path / "picture.png")
    assert _flat(" ".join(line.text for line in recognise(tmp_path / "picture.png"))) == (
        "Delete your account tonight"
    )


def test_a_missing_tesseract_is_one_line_naming_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UserError) as info:
        find_tesseract()
    message = str(info.value)
    assert "tesseract-ocr" in message and "apt-get install" in message and "\n" not in message
    with pytest.raises(UserError, match="tesseract-ocr"):
        recognise(Image.open(SAMPLES / "jane-smith/evidence/2026-07-03-whatsapp-threat.png"))


def test_while_libreoffice_converts_one_core_is_left_to_it(monkeypatch):
    """Three pictures wait on a 3-core machine: two are read while converting, the third only
    once conversion has finished (tesseract's 60 MB each need not sit beside soffice's)."""
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    for gate, at_once in ((OcrGate(converting=True), 2), (OcrGate(), 3)):
        inside = threading.Semaphore(0)
        release = threading.Event()

        def read(gate: OcrGate = gate, inside: threading.Semaphore = inside,
                 release: threading.Event = release) -> None:  # fmt: skip
            with gate.slot():
                inside.release()
                release.wait()

        threads = [threading.Thread(target=read, daemon=True) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            assert all(inside.acquire(timeout=10) for _ in range(at_once))
            if at_once == 2:
                assert not inside.acquire(timeout=0.3)  # the third waits, however long
                gate.widen()
                assert inside.acquire(timeout=10)
        finally:
            release.set()
        for thread in threads:
            thread.join()
