"""Small inputs made to exhaust memory, disk or time are refused within 5 CPU s and 200 MB.

Each bomb runs through the real command in a fresh process, whose peak memory (ru_maxrss) and
CPU time are measured; nothing may be written into the case.
"""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from harassment_pack.case import load_case
from harassment_pack.importers._common import _DepthGauge
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


# The command runs as the grandchild of a small Python process rather than as pytest's own child:
# Linux counts the memory a process was forked with in its peak (ru_maxrss), so a child of a
# pytest grown large by earlier tests would seem to use that much itself.
_MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execv(sys.executable, [sys.executable, "-m", "harassment_pack", *sys.argv[1:]])
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
"""


def _peak_mb(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, float]:
    """Peak memory (MB), stderr and CPU seconds of one command in a fresh process.

    CPU seconds rather than wall-clock seconds: a machine busy with other work stretches the
    second, not the first, and a bomb shows in both.
    """
    done = subprocess.run([sys.executable, "-c", _MEASURE, *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, check=False,
                          timeout=600)  # fmt: skip
    code, peak_kb, cpu = done.stdout.split()
    err = done.stderr
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert int(code) == 2, err
    assert float(cpu) < 5, f"took {float(cpu):.1f} CPU s"
    return int(peak_kb) // 1024, err, float(cpu)


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
@pytest.mark.parametrize("gigabytes", [1, 10])
def test_sparse_file_of_nuls_as_a_text_export(case_dir, tmp_path, fmt, gigabytes):
    """10 GB is refused by its size before reading; 1 GB (under the limit) by its first line."""
    huge = tmp_path / ("chat.txt" if fmt == "whatsapp" else "mail.mbox")
    with huge.open("wb") as handle:
        handle.write(b"From sam@example.com Mon Jan  1 00:00:00 2024\n" if fmt == "email" else b"")
        handle.truncate(gigabytes * 1024**3)  # sparse: no disk used
    peak, err, _ = _peak_mb("import", fmt, str(huge), "--case", str(case_dir),
                            "--from", "Sam Doe", "--yes")  # fmt: skip
    if gigabytes == 10:
        assert "this file is 10,240 MB, more than the 2,048 MB any chat or email export" in err
    else:
        assert "a line is longer than any chat or email export has" in err
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


_DEEP = "[" * 20000 + "1" + "]" * 20000
"""40 KB nested 20,000 deep: ijson alone would take a gigabyte on it before Python's own limit."""
_TELEGRAM_MESSAGE = {"id": 1, "type": "message", "date": "2024-01-01T10:00:00",
                     "date_unixtime": "1704103200", "from": "Sam Doe",
                     "from_id": "user1"}  # fmt: skip
_NESTED_EXPORTS = {
    "telegram": ("result.json", {"name": "Sam Doe", "type": "personal_chat", "id": 1,
                                 "messages": [{**_TELEGRAM_MESSAGE, "text": "X"}]}),
    "discord": ("package/messages/c1225000000000000000/messages.json",
                [{"ID": 1225000000000000000, "Timestamp": "2024-01-01 10:00:00",
                  "Contents": "X", "Attachments": ""}]),
    "x": ("tweets.js", [{"tweet": {"id_str": "1", "created_at": "Mon Jan 01 10:00:00 +0000 2024",
                                   "full_text": "X"}}]),
    "instagram": ("inbox/sam_1/message_1.json",
                  {"participants": [{"name": "Sam Doe"}, {"name": "Jane"}],
                   "messages": [{"sender_name": "Sam Doe", "timestamp_ms": 1704103200000,
                                 "content": "X"}]}),
}  # fmt: skip


@pytest.mark.parametrize("fmt", sorted(_NESTED_EXPORTS))
@pytest.mark.parametrize("where", ["file", "folder"])
def test_deeply_nested_json_export(case_dir, tmp_path, fmt, where):
    name, document = _NESTED_EXPORTS[fmt]
    export = tmp_path / "export" / name
    export.parent.mkdir(parents=True)
    text = json.dumps(document).replace('"X"', _DEEP)
    export.write_text(f"window.YTD.tweets.part0 = {text}" if fmt == "x" else text)
    assert export.stat().st_size < 50_000
    given = export if where == "file" else tmp_path / "export"
    peak, err, _ = _peak_mb("import", fmt, str(given), "--case", str(case_dir),
                            "--from", "Sam Doe", "--yes")  # fmt: skip
    assert err.startswith(f"harassment-pack: {given}"), err  # the file is named
    assert "it nests its data at least" in err and "goes deeper than 64" in err
    assert "(download the export again)" in err
    assert peak < 200
    _nothing_written(case_dir)


def test_depth_gauge_matches_the_real_depth_at_any_chunk_edges():
    """The byte-level count agrees with the parsed depth, whatever the strings hold (brackets,
    quotes, backslashes) and wherever the chunks are cut."""
    rng = random.Random(13)

    def value(levels: int) -> object:
        if levels and rng.random() < 0.6:
            if rng.random() < 0.5:
                return [value(levels - 1) for _ in range(rng.randint(0, 3))]
            keys = ["a", "[{", '"]\\', "\\\\", "}\\"]
            return {rng.choice(keys): value(levels - 1) for _ in range(rng.randint(0, 3))}
        return rng.choice(["x[", '}"', '\\"[[', "\\\\", 1, None, "{{{{", ""])

    def depth(item: object) -> int:
        if isinstance(item, dict):
            return 1 + max(map(depth, item.values()), default=0)
        if isinstance(item, list):
            return 1 + max(map(depth, item), default=0)
        return 0

    for _ in range(2000):
        item = value(rng.randint(1, 12))
        data = json.dumps(item).encode()
        limit, size = rng.randint(1, 10), rng.randint(1, 9)
        gauge = _DepthGauge(limit)
        over = any(gauge.feed(data[i : i + size]) for i in range(0, len(data), size))
        assert over == (depth(item) > limit), data


def _sparse(path: Path, start: bytes, size: int) -> Path:
    """A file of ``size`` bytes that starts like an export and takes no disk space."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(start)
        handle.truncate(size)
    return path


@pytest.mark.parametrize(
    ("fmt", "name", "start", "gigabytes", "limit"),
    [
        ("telegram", "result.json", b'{"name": "Sam Doe", "messages": [', 5, "4,096 MB any JSON"),
        ("discord", "p/messages/c1225000000000000000/messages.csv",
         b"ID,Timestamp,Contents,Attachments\n", 3, "2,048 MB any CSV"),
        ("sms", "sms-20240101.xml", b'<?xml version="1.0"?>\n<smses count="1">', 17,
         "16,384 MB any SMS backup"),
    ],
)  # fmt: skip
def test_export_larger_than_its_format_holds_is_refused_before_reading(
    case_dir, tmp_path, fmt, name, start, gigabytes, limit
):
    huge = _sparse(tmp_path / name, start, gigabytes * 1024**3)
    peak, err, _ = _peak_mb("import", fmt, str(huge), "--case", str(case_dir),
                            "--from", "Sam Doe", "--yes")  # fmt: skip
    assert f"{huge}: this file is {gigabytes * 1024:,} MB, more than the {limit}" in err
    assert "set HARASSMENT_PACK_MAX_EXPORT_MB to more MB" in err
    assert peak < 200
    _nothing_written(case_dir)


def test_export_size_limit_is_configured_by_the_environment(case_dir, tmp_path):
    export = tmp_path / "result.json"
    messages = [{**_TELEGRAM_MESSAGE, "id": n, "text": "x" * 1000} for n in range(3000)]
    export.write_text(json.dumps({"name": "Sam Doe", "type": "personal_chat", "id": 1,
                                  "messages": messages}))  # fmt: skip
    _, err, _ = _peak_mb("import", "telegram", str(export), "--case", str(case_dir),
                         "--from", "Sam Doe", "--yes",
                            env={"HARASSMENT_PACK_MAX_EXPORT_MB": "2"})  # fmt: skip
    assert "this file is 3 MB, more than the 2 MB any JSON export holds" in err
    _nothing_written(case_dir)


def test_discord_csv_line_or_field_without_end(case_dir, tmp_path):
    channel = tmp_path / "p" / "messages" / "c1225000000000000000" / "messages.csv"
    _sparse(channel, b'ID,Timestamp,Contents,Attachments\n1,2024-01-01 10:00:00,"', 1024**3)
    peak, err, _ = _peak_mb("import", "discord", str(channel), "--case", str(case_dir),
                            "--from", "Sam Doe", "--yes")  # fmt: skip
    assert "a line is longer than any CSV export has (over 8 MB)" in err
    assert peak < 200
    field = 'ID,Timestamp,Contents,Attachments\n1,2024-01-01 10:00:00,"' + "x" * 300_000 + '",\n'
    channel.write_text(field)
    peak, err, _ = _peak_mb("import", "discord", str(channel), "--case", str(case_dir),
                            "--from", "Sam Doe", "--yes")  # fmt: skip
    assert f"{channel}: line 2: this file is damaged (field larger than field limit" in err
    _nothing_written(case_dir)


_LAUGHS = "".join(
    f'<!ENTITY lol{n} "{(f"&lol{n - 1};" if n > 1 else "lol") * 10}">\n' for n in range(1, 10)
)
_SMS_BOMBS = {
    "billion laughs": f'<?xml version="1.0"?>\n<!DOCTYPE smses [\n{_LAUGHS}]>\n'
    '<smses count="1"><sms address="1" date="1" type="1" body="&lol9;" /></smses>\n',
    "quadratic blowup": '<?xml version="1.0"?>\n<!DOCTYPE smses [<!ENTITY a "'
    + "x" * 50_000 + '">]>\n<smses count="1"><sms address="1" date="1" type="1" body="'
    + "&a;" * 50_000 + '" /></smses>\n',
    "external entity": '<?xml version="1.0"?>\n<!DOCTYPE smses [<!ENTITY e SYSTEM '
    '"file:///etc/passwd">]>\n<smses count="1"><sms address="1" date="1" type="1" '
    'body="&e;" /></smses>\n',
    "nested elements": '<smses count="1"><sms address="1" date="1" type="1" body="x">'
    + "<a>" * 200_000 + "</a>" * 200_000 + "</sms></smses>\n",
}  # fmt: skip


@pytest.mark.parametrize("bomb", sorted(_SMS_BOMBS))
def test_sms_xml_bombs(case_dir, tmp_path, bomb):
    backup = tmp_path / "sms-20240101.xml"
    backup.write_text(_SMS_BOMBS[bomb], encoding="utf-8")
    peak, err, _ = _peak_mb("import", "sms", str(backup), "--case", str(case_dir),
                            "--from", "Sam Doe", "--yes")  # fmt: skip
    if bomb == "nested elements":
        assert f"{backup}: line 1: elements are nested more than 16 deep" in err
    else:
        assert f"{backup}: line 2: the file declares a DOCTYPE" in err
        assert "can hide an entity bomb" in err
    assert peak < 200
    _nothing_written(case_dir)


_EMAIL = (
    "From: Sam Doe <sam@example.com>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nSubject: {}\n"
    "MIME-Version: 1.0\n{}Content-Type: text/plain\n\nHello\n"
)


@pytest.mark.parametrize("kind", ["eml", "mbox"])
def test_email_nesting_its_parts_100000_deep(case_dir, tmp_path, kind):
    """Multipart inside multipart 100,000 times (5 MB; each level its own boundary, as the same
    one would close the outer part): Python's parser alone crashes on its recursion limit after
    time that grows with the square of the depth; refused at the 33rd level, naming the email."""
    levels = "".join(
        f"Content-Type:multipart/mixed;boundary={n}\n\n--{n}\n" for n in range(100_000)
    )
    bomb = _EMAIL.format("Nested", levels)
    if kind == "eml":
        export, start = tmp_path / "message.eml", "email 1 (line 1)"
        export.write_text(bomb)
    else:
        export, start = tmp_path / "mail.mbox", "email 2 (line 11)"
        separator = "From sam@example.com Mon Jan  1 10:00:00 2024\n"
        export.write_text(f"{separator}{_EMAIL.format('Fine', '')}\n{separator}{bomb}")
    assert export.stat().st_size < 6_000_000
    peak, err, _ = _peak_mb("import", "email", str(export), "--case", str(case_dir),
                            "--from", "sam@example.com", "--yes")  # fmt: skip
    assert err.startswith(f"harassment-pack: {export}: {start} nests its parts more than 32 deep")
    assert "(remove that email from the mailbox, or download the mail again)" in err
    assert peak < 200
    _nothing_written(case_dir)


def test_email_of_100000_sibling_parts(case_dir, tmp_path):
    """One multipart of 100,000 tiny parts side by side (4 MB): the standard parser takes about
    a millisecond a part, over a minute in all; refused at the 2,001st part, naming the email."""
    parts = "".join(f"--b\nContent-Type: text/plain\n\n{n}\n" for n in range(100_000))
    export = tmp_path / "message.eml"
    export.write_text(
        _EMAIL.format("Wide", "").replace("Content-Type: text/plain\n\nHello\n", "")
        + f"Content-Type: multipart/mixed; boundary=b\n\n{parts}--b--\n"
    )
    peak, err, _ = _peak_mb("import", "email", str(export), "--case", str(case_dir),
                            "--from", "sam@example.com", "--yes")  # fmt: skip
    assert err.startswith(f"harassment-pack: {export}: email 1 (line 1) has more than 2000 parts")
    assert peak < 200
    _nothing_written(case_dir)


def test_email_header_nesting_comments_100000_deep(case_dir, tmp_path):
    """A From header of 100,000 comments inside comments (200 KB): Python's header parser reads
    each level by recursion and crashes on its limit; refused before parsing, naming the email."""
    export = tmp_path / "message.eml"
    nested = "(" * 100_000 + "x" + ")" * 100_000
    export.write_text(_EMAIL.format("Hi", "").replace("Sam Doe", f"Sam Doe {nested}"))
    peak, err, _ = _peak_mb("import", "email", str(export), "--case", str(case_dir),
                            "--from", "sam@example.com", "--yes")  # fmt: skip
    assert err.startswith(
        f"harassment-pack: {export}: email 1 (line 1) nests comments in a header more than 32 deep"
    )
    assert peak < 200
    _nothing_written(case_dir)


def test_email_nested_32_deep_is_still_read(tmp_path):
    """The limit is a level no mail program reaches, not one that real mail could touch."""
    from harassment_pack.importers.base import Message, ParseOptions
    from harassment_pack.importers.email import email

    export = tmp_path / "message.eml"
    export.write_text(_EMAIL.format("Nested", "".join(
        f"Content-Type: multipart/mixed; boundary=b{n}\n\n--b{n}\n" for n in range(31)
    )))  # fmt: skip
    (message,) = email.parse(export, ParseOptions())
    assert isinstance(message, Message) and message.text.strip() == "Hello"


def test_email_with_comments_32_deep_and_parentheses_in_its_body_is_still_read(tmp_path):
    """Only header fields are measured: a body may hold any parentheses."""
    from harassment_pack.importers.base import Message, ParseOptions
    from harassment_pack.importers.email import email

    export = tmp_path / "message.eml"
    comment = "(" * 32 + "x" + ")" * 32
    export.write_text(
        _EMAIL.format("Hi", "").replace("Sam Doe", f"Sam Doe {comment}").replace(
            "Hello\n", "Hello\n" + "(" * 500 + "\n")
    )  # fmt: skip
    (message,) = email.parse(export, ParseOptions())
    assert isinstance(message, Message) and message.text.startswith("Hello")


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

    started = time.process_time()
    with pytest.raises(UserError, match="10000 x 10000 pixels, too many to handle safely"):
        probe(bomb, "image/png", "ST/1")  # how a build reads a picture put in case.yaml by hand
    assert time.process_time() - started < 1


def test_a_40000_character_description_is_laid_out_in_linear_time():
    entries = [PackEntry(f"Exhibit ST/{n} \u2013 " + "word " * 8000, n) for n in range(1, 4)]
    started = time.process_time()
    pages = _index_layout(entries)
    assert time.process_time() - started < 2
    assert sum(len(lines) for page in pages for _, _, lines in page) > 300  # wrapped, not cut
