"""Big JSON exports are read a record at a time: memory stays far below the file's size.

Each test writes an export tens of megabytes large and measures, with tracemalloc, the most
memory Python held while the parser gave its first few thousand messages. Loading the file whole
(as ``json.load`` does) holds several times the file's size before the first message comes out,
so these fail for any parser that does. The Meta test reads the whole conversation, because its
first pass does.
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

import pytest

from harassment_pack.errors import UserError
from harassment_pack.importers.base import Message, ParseOptions, Unreadable
from harassment_pack.importers.discord import discord
from harassment_pack.importers.meta import messenger, repair_mojibake
from harassment_pack.importers.telegram import telegram
from harassment_pack.importers.x import x

MB = 1_000_000
RECORDS = 100_000
TAKEN = 5_000
LIMIT = 5 * MB
"""Far below what loading any of these files whole needs (over 100 MB for the 20 MB files)."""


def write_json_list(path: Path, head: str, records: Iterable[object], tail: str) -> int:
    """A JSON file made of ``head``, the records as a comma-separated list, and ``tail``; its
    size in bytes. Written a record at a time, so the test itself never holds the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head)
        for index, record in enumerate(records):
            handle.write((",\n" if index else "\n") + json.dumps(record, ensure_ascii=False))
        handle.write(tail)
    return path.stat().st_size


def peak_while_reading(
    parse: Callable[[], Iterator[Message | Unreadable]], count: int
) -> tuple[list[Message], int]:
    """The first and last of the first ``count`` messages parsed, and the most memory Python
    held meanwhile. Messages are counted as they come, not kept, as the import's preview does."""
    tracemalloc.start()
    try:
        first = last = None
        seen = 0
        for found in islice(parse(), count):
            assert isinstance(found, Message), found
            first, last, seen = first or found, found, seen + 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == count and first is not None and last is not None
    return [first, last], peak


def _telegram_message(index: int) -> dict[str, object]:
    return {
        "id": index,
        "type": "message",
        "date": "2024-07-01T21:08:40",
        "date_unixtime": str(1719864520 + index),
        "from": "Sam Doe",
        "from_id": "user5550001",
        "text": ["message ", {"type": "bold", "text": f"{index}"}, " sent to frighten"],
    }


def test_telegram_single_chat_and_whole_account_stream(tmp_path):
    single = tmp_path / "chat" / "result.json"
    size = write_json_list(
        single,
        '{"name": "Sam Doe", "type": "personal_chat", "id": 5550001, "messages": [',
        (_telegram_message(i) for i in range(RECORDS)),
        "]}",
    )
    account = tmp_path / "account" / "result.json"
    write_json_list(
        account,
        '{"about": "export", "chats": {"about": "chats", "list": [{"name": "Old", '
        '"type": "personal_chat", "id": 1, "messages": []}, {"name": "Sam Doe", '
        '"type": "personal_chat", "id": 5550001, "messages": [',
        (_telegram_message(i) for i in range(RECORDS)),
        "]}]}}",
    )
    assert size > 20 * MB
    for path, record in ((single, "messages"), (account, "chats.list[1].messages")):
        (first, last), peak = peak_while_reading(
            lambda path=path: telegram.parse(path, ParseOptions()), TAKEN
        )
        assert peak < LIMIT, f"{path}: {peak / MB:.1f} MB"
        assert first.text == "message 0 sent to frighten" and first.conversation == "Sam Doe"
        assert last.record == f"{record}[{TAKEN - 1}] (id {TAKEN - 1})"
        assert last.original_time == str(1719864520 + TAKEN - 1)  # exact, not a float


def test_x_posts_stream_from_the_javascript_wrapper(tmp_path):
    posts = tmp_path / "twitter-2024" / "data" / "tweets.js"
    size = write_json_list(
        posts,
        "window.YTD.tweets.part0 = [",
        (
            {
                "tweet": {
                    "id_str": str(1776369479840706617 + i),
                    "created_at": "Fri Apr 05 22:01:02 +0000 2024",
                    "full_text": f"post {i}: everyone should know what she did &amp; where "
                    "she lives, and I will make sure they do",
                }
            }
            for i in range(RECORDS)
        ),
        "\n];\n",
    )
    assert size > 20 * MB
    # The archive folder: the file is checked whole before its first post is given.
    (first, last), peak = peak_while_reading(
        lambda: x.parse(tmp_path / "twitter-2024", ParseOptions()), TAKEN
    )
    assert peak < LIMIT, f"{peak / MB:.1f} MB"
    assert first.text.startswith("post 0: everyone should know what she did & where she")
    assert last.url == f"https://x.com/i/status/{1776369479840706617 + TAKEN - 1}"


def test_discord_messages_json_streams(tmp_path):
    channel = tmp_path / "package" / "messages" / "c1225000000000000000" / "messages.json"
    size = write_json_list(
        channel,
        "[",
        (
            {
                "ID": 1225175158377951237 + i,
                "Timestamp": "2024-04-03 20:08:40",
                "Contents": f"message {i}: I know where you live and I will be there tonight",
                "Attachments": "",
            }
            for i in range(2 * RECORDS)
        ),
        "]",
    )
    assert size > 20 * MB
    (first, last), peak = peak_while_reading(
        lambda: discord.parse(tmp_path / "package", ParseOptions()), TAKEN
    )
    assert peak < LIMIT, f"{peak / MB:.1f} MB"
    assert first.text.startswith("message 0:") and last.record == f"[{TAKEN - 1}]"
    # Snowflakes above 2**53 stay exact ints (a float would change the last digits).
    assert last.url.endswith(f"/{1225175158377951237 + TAKEN - 1}")


def test_meta_conversation_streams_in_two_passes_and_keeps_the_repair(tmp_path):
    """Three files of 10,000 messages (Meta's own cap), newest first as Meta writes them. The
    first pass reads all three to decide the mojibake repair; the messages come oldest first."""
    thread = tmp_path / "messages" / "inbox" / "sam_1"
    files, per_file = 3, 10_000
    size = 0
    for number in range(1, files + 1):
        newest = (files - number + 1) * per_file
        size += write_json_list(
            thread / f"message_{number}.json",
            '{"participants": [{"name": "Sam Do\u00c3\u00a9"}, {"name": "You"}], "messages": [',
            (
                {
                    "sender_name": "Sam Do\u00c3\u00a9",
                    "timestamp_ms": 1_700_000_000_000 + (newest - i) * 1000,
                    "content": f"message {newest - i}: caf\u00c3\u00a9 " + "x" * 200,
                }
                for i in range(per_file)
            ),
            '], "title": "Sam Do\u00c3\u00a9", "thread_path": "inbox/sam_1"}',
        )
    assert size > 7 * MB
    (first, last), peak = peak_while_reading(
        lambda: messenger.parse(tmp_path, ParseOptions()), TAKEN
    )
    assert peak < LIMIT, f"{peak / MB:.1f} MB"
    assert first.text.startswith("message 1: café ") and first.sender == "Sam Doé"
    assert last.text == f"message {TAKEN}: café " + "x" * 200
    assert first.conversation == repair_mojibake("Sam Do\u00c3\u00a9") == "Sam Doé"
    assert first.source_file.endswith("message_3.json")  # the oldest file is the last one


def test_damage_after_good_records_is_found_before_any_is_given(tmp_path):
    """Streaming must not turn a damaged file into half an import: inside an archive the whole
    file is one unreadable record (none of its posts taken), and the error says where it is."""
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    post = {"tweet": {"id_str": "1", "created_at": "Fri Apr 05 22:01:02 +0000 2024",
                      "full_text": "café"}}  # fmt: skip
    good = json.dumps(post, ensure_ascii=False)
    (data / "tweets.js").write_text(
        f"\ufeffwindow.YTD.tweets.part0 = [\n{good},\n{good},\n  {good[:20]} oops\n]\n",
        encoding="utf-8",
    )
    found = list(x.parse(tmp_path / "archive", ParseOptions()))
    assert [(f.record, f.reason) for f in found] == [
        (
            "data/tweets.js",
            "the whole file could not be read: it is not valid JSON "
            "(line 4, column 24: a character that cannot be there)",
        )
    ]
    with pytest.raises(UserError, match=r"line 4, column 24") as error:
        list(x.parse(data / "tweets.js", ParseOptions()))
    assert "\n" not in str(error.value)
    # Mended, with the ";" X's JavaScript may end with, the same file reads in full.
    (data / "tweets.js").write_text(
        f"\ufeffwindow.YTD.tweets.part0 = [\n{good},\n{good}\n] ;\n", encoding="utf-8"
    )
    assert [m.text for m in x.parse(tmp_path / "archive", ParseOptions())] == ["café", "café"]


def test_mbox_streams_one_email_at_a_time(tmp_path):
    """A 20 MB mailbox (some separators with no blank line before them, as real ones have) is
    read an email at a time: its first emails come out holding a tiny part of the file."""
    from harassment_pack.importers.email import email

    path = tmp_path / "All mail.mbox"
    with path.open("wb") as handle:
        handle.write(b"\xef\xbb\xbf")
        for index in range(4_000):
            handle.write(
                b"From sam@example.net Mon Jul  1 10:00:00 2024\n"
                b"From: Sam Doe <sam@example.net>\nTo: jane@example.org\n"
                b"Date: Mon, 01 Jul 2024 10:%02d:00 +0000\nSubject: number %d\n"
                b"Content-Type: text/plain; charset=utf-8\n\n"
                % (index % 60, index)
                + "I know where you are \u2014 line\n".encode() * 170
                + (b"\n" if index % 3 else b"")
            )
    assert path.stat().st_size > 20 * MB
    taken = 200  # the email parser is slow per email; a few hundred show the memory stays flat
    (first, last), peak = peak_while_reading(lambda: email.parse(path, ParseOptions()), taken)
    assert peak < LIMIT, f"{peak / MB:.1f} MB held"
    assert first.conversation == "number 0" and last.conversation == f"number {taken - 1}"
    assert first.text.startswith("I know where you are \u2014 line")
