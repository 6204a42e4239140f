"""Small inputs made to exhaust memory, disk or time are refused within 5 s and 200 MB.

Each bomb runs through the real command in a fresh process, whose peak memory (ru_maxrss) and
time are measured; nothing may be written into the case.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from harassment_pack.case import load_case
from harassment_pack.pack import PackEntry, _index_layout
from harassment_pack.pictures import probe

from .conftest import ONE_INCIDENT_ANSWERS

ROOT = Path(__file__).resolve().parent.parent
CHAT = ROOT / "tests" / "data" / "whatsapp" / "android_mixed.txt"


@pytest.fixture()
def case_dir(tmp_path) -> Path:
    answers = tmp_path / "answers.yaml"
    answers.write_text(ONE_INCIDENT_ANSWERS, encoding="utf-8")
    case_dir = tmp_path / "case"
    done = subprocess.run(
        [sys.executable, "-m", "harassment_pack", "new", str(case_dir), "--answers", str(answers)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return case_dir


_STARTUP: list[float] = []


def _startup() -> float:
    """Seconds a bare ``harassment-pack --help`` takes here: a busy machine is not the bomb."""
    if not _STARTUP:
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "harassment_pack", "--help"],
                       capture_output=True, check=False)  # fmt: skip
        _STARTUP.append(time.monotonic() - started)
    return _STARTUP[0]


def _peak_mb(*args: str) -> tuple[int, str, float]:
    """Exit code, stderr and peak memory (MB) of one command in a fresh process."""
    read, write = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: stderr into the pipe, then the command
        os.close(read)
        os.dup2(write, 2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.execv(sys.executable, [sys.executable, "-m", "harassment_pack", *args])
    os.close(write)
    with os.fdopen(read) as handle:
        err = handle.read()
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.monotonic() - started
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert os.waitstatus_to_exitcode(status) == 2, err
    assert elapsed < 5 + _startup(), f"took {elapsed:.1f} s"
    return usage.ru_maxrss // 1024, err, elapsed


def _nothing_written(case_dir: Path) -> None:
    assert len(load_case(case_dir).incidents) == 1
    assert not (case_dir / "evidence").exists() or not any((case_dir / "evidence").iterdir())
    assert not (case_dir / ".staging").exists()


def _zip_with(path: Path, name: str, size: int) -> None:
    """A zip whose entry ``name`` is ``size`` zero bytes, written without holding them."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(CHAT, "WhatsApp Chat with Sam Doe.txt")
        with archive.open(name, "w", force_zip64=True) as entry:
            block = bytes(16 * 1024 * 1024)
            for _ in range(size // len(block)):
                entry.write(block)


def test_zip_bomb_is_refused_by_its_declared_sizes(case_dir, tmp_path):
    bomb = tmp_path / "export.zip"
    _zip_with(bomb, "IMG-20240403-WA0001.jpg", 256 * 1024 * 1024)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    peak, err, _ = _peak_mb("import", "whatsapp", str(bomb), "--case", str(case_dir),
                            "--from", "Sam Doe", "--yes")  # fmt: skip
    assert "far more than a platform's export holds" in err
    assert peak < 200
    _nothing_written(case_dir)


@pytest.mark.parametrize("fmt", ["whatsapp", "email"])
def test_sparse_file_of_nuls_as_a_text_export(case_dir, tmp_path, fmt):
    huge = tmp_path / ("chat.txt" if fmt == "whatsapp" else "mail.mbox")
    with huge.open("wb") as handle:
        handle.write(b"From sam@example.com Mon Jan  1 00:00:00 2024\n" if fmt == "email" else b"")
        handle.truncate(10 * 1024**3)  # 10 GB, sparse: no disk used
    peak, err, _ = _peak_mb("import", fmt, str(huge), "--case", str(case_dir),
                            "--from", "Sam Doe", "--yes")  # fmt: skip
    assert "is longer than any chat or email export has" in err
    assert peak < 200
    _nothing_written(case_dir)


def test_zip_of_nuls_as_a_whatsapp_export(case_dir, tmp_path):
    bomb = tmp_path / "chat.zip"
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("_chat.txt", "w", force_zip64=True) as entry,
    ):
        for _ in range(8):
            entry.write(bytes(16 * 1024 * 1024))
    peak, err, _ = _peak_mb("import", "whatsapp", str(bomb), "--case", str(case_dir),
                            "--from", "Sam Doe", "--yes")  # fmt: skip
    assert "far more than a platform's export holds" in err or "longer than any chat" in err
    assert peak < 200
    _nothing_written(case_dir)


def test_deeply_nested_telegram_json(case_dir, tmp_path):
    deep = 5000
    message = {"id": 1, "type": "message", "date": "2024-01-01T10:00:00",
               "date_unixtime": "1704103200", "from": "Sam Doe", "from_id": "user1"}  # fmt: skip
    text = json.dumps({"name": "Sam Doe", "type": "personal_chat", "id": 1,
                       "messages": [{**message, "text": "X"}]})  # fmt: skip
    export = tmp_path / "result.json"
    export.write_text(text.replace('"X"', "[" * deep + "1" + "]" * deep))
    assert export.stat().st_size < 12_000
    peak, err, _ = _peak_mb("import", "telegram", str(export), "--case", str(case_dir),
                            "--from", "Sam Doe", "--yes")  # fmt: skip
    assert "nests its data more deeply than any platform writes" in err
    assert peak < 200
    _nothing_written(case_dir)


def _png_bomb(path: Path, width: int, height: int) -> None:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
                     + chunk(b"IEND", b""))  # fmt: skip


def test_decompression_bomb_picture_added_or_registered_by_hand(case_dir, tmp_path):
    bomb = tmp_path / "screenshot.png"
    _png_bomb(bomb, 10000, 10000)  # under Pillow's own limit, over ours
    peak, err, _ = _peak_mb("evidence", "add", str(case_dir), str(bomb))
    assert "too many pixels to handle safely" in err or "too many to handle safely" in err
    assert peak < 200
    from harassment_pack.errors import UserError

    started = time.monotonic()
    with pytest.raises(UserError, match="10000 x 10000 pixels, too many to handle safely"):
        probe(bomb, "image/png", "ST/1")  # how a build reads a picture put in case.yaml by hand
    assert time.monotonic() - started < 1


def test_a_40000_character_description_is_laid_out_in_linear_time():
    entries = [PackEntry(f"Exhibit ST/{n} \u2013 " + "word " * 8000, n) for n in range(1, 4)]
    started = time.monotonic()
    pages = _index_layout(entries)
    assert time.monotonic() - started < 2
    assert sum(len(lines) for page in pages for _, _, lines in page) > 300  # wrapped, not cut
