"""The OCR text layer: the real tesseract reads screenshots, and the words are in the pack."""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

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


def _hold_slots(gate: OcrGate, count: int) -> tuple[threading.Semaphore, threading.Event, list]:
    """``count`` threads each wait for a slot of ``gate`` and hold it until released."""
    inside = threading.Semaphore(0)
    release = threading.Event()

    def read() -> None:
        with gate.slot():
            inside.release()
            release.wait()

    threads = [threading.Thread(target=read, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return inside, release, threads


@pytest.mark.parametrize(("small", "beside"), [(True, 2), (False, 0)])
def test_while_libreoffice_converts_a_small_case_leaves_one_core_a_big_case_all(
    monkeypatch, small, beside
):
    """Three pictures wait on a 3-core machine. While converting, a small case reads two, a
    big case none (tesseract's 65 MB need not sit beside soffice's 145); once conversion has
    finished, all three are read."""
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    gate = OcrGate(converting=True, small=small)
    inside, release, threads = _hold_slots(gate, 3)
    try:
        assert all(inside.acquire(timeout=10) for _ in range(beside))
        assert not inside.acquire(timeout=0.3)  # the rest wait, however long
        gate.widen()
        assert all(inside.acquire(timeout=10) for _ in range(3 - beside))
    finally:
        release.set()
    for thread in threads:
        thread.join()
    every_core = OcrGate()  # nothing to convert: every core reads at once
    inside, release, threads = _hold_slots(every_core, 4)
    try:
        assert all(inside.acquire(timeout=10) for _ in range(3))
        assert not inside.acquire(timeout=0.3)
    finally:
        release.set()
    for thread in threads:
        thread.join()


def _descendants() -> list[str]:
    """The program names of every process this one started, and theirs (from /proc)."""
    parents: dict[int, tuple[int, str]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_bytes()
            except OSError:
                continue
            name = stat[stat.index(b"(") + 1 : stat.rindex(b")")].decode("utf-8", "replace")
            parents[int(entry.name)] = (int(stat[stat.rindex(b")") + 2 :].split()[1]), name)
    found, frontier, names = {os.getpid()}, [os.getpid()], []
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, name) in parents.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                frontier.append(pid)
                names.append(name)
    return names


def test_a_big_case_runs_no_tesseract_beside_soffice(case_copy, tmp_path, monkeypatch):
    """The real processes, watched every 10 ms during a first build (nothing read yet) of the
    sample made a big case (files over PARALLEL_BYTES; here the bound is set to 0): never more
    tesseracts than cores, and none while soffice runs, which keeps the 500-screenshot tree
    under 300 MB."""
    from harassment_pack import build

    monkeypatch.setattr(build, "PARALLEL_BYTES", 0)
    shutil.rmtree(case_copy / ".ocr-cache", ignore_errors=True)
    seen: list[tuple[int, int]] = []  # (soffice processes, tesseracts) at each look
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.01):
            names = _descendants()
            seen.append((names.count("soffice.bin"), names.count("tesseract")))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        build.build_case(case_copy, tmp_path / "out", only=["evidence_schedule"])
    finally:
        done.set()
        watcher.join()
    assert any(soffice for soffice, _ in seen) and any(reading for _, reading in seen), seen
    assert max(reading for _, reading in seen) <= (os.cpu_count() or 1), seen
    assert not any(reading for soffice, reading in seen if soffice), seen
