"""The WhatsApp parser: real fixtures from chat-miner, and our own files for each known trap."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from harassment_pack.errors import UserError
from harassment_pack.importers import IMPORTERS, detect_format
from harassment_pack.importers.base import Message, ParseOptions, Unreadable
from harassment_pack.importers.whatsapp import WhatsAppImporter

from .conftest import ROOT

FIXTURES = ROOT.parent / "shared" / "fixtures" / "whatsapp"
DATA = ROOT / "tests" / "data" / "whatsapp"
LONDON = ZoneInfo("Europe/London")


def parse(path: Path, **options) -> tuple[list[Message], list[Unreadable]]:
    records = list(WhatsAppImporter().parse(path, ParseOptions(**options)))
    return (
        [r for r in records if isinstance(r, Message)],
        [r for r in records if isinstance(r, Unreadable)],
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


CHAT_MINER_FILES = sorted(FIXTURES.glob("*.txt"))


@pytest.mark.parametrize("path", CHAT_MINER_FILES, ids=lambda p: p.name)
def test_chat_miner_fixtures_parse_to_its_expected_messages(path):
    """target.json (chat-miner's expected parse) lists the messages with words, newest first.

    chat-miner gives local clock times without a zone and joins lines with a space; we give UTC
    (the export's times taken as Europe/London) and keep the line break. Its parse leaves out
    the view-once message 'John Doe:.', which we keep, marked 'empty'.
    """
    target = json.loads((FIXTURES / "target.json").read_text(encoding="utf-8"))
    messages, unreadable = parse(path)
    assert unreadable == []
    with_words = [m for m in messages if m.kind == "message"]
    expected = [
        (
            datetime.fromisoformat(t["timestamp"]).replace(tzinfo=LONDON).astimezone(UTC),
            t["author"],
            t["message"],
        )
        for t in reversed(target)
    ]
    assert [(m.timestamp, m.sender, m.text.replace("\n", " ")) for m in with_words] == expected
    [empty] = [m for m in messages if m.kind == "empty"]
    assert (empty.sender, empty.text, empty.record) == ("John Doe", ".", "line 2")
    assert all(m.platform == "WhatsApp" and m.timestamp.tzinfo is UTC for m in messages)
    assert IMPORTERS["whatsapp"].detect(path) and detect_format(path) == "whatsapp"


def test_original_time_is_verbatim_and_records_are_line_numbers():
    messages, _ = parse(FIXTURES / "test_mmddyyyy_12hrs.txt")
    third = messages[2]
    assert third.original_time == "01/30/2019, 08:49 p. m."
    assert third.record == "line 3"
    assert third.timestamp == utc(2019, 1, 30, 20, 49)
    assert "Europe/London" in third.timezone_basis and "month first" in third.timezone_basis


def test_ios_marks_seconds_brackets_and_attachments():
    messages, unreadable = parse(DATA / "ios_lrm_seconds.txt")
    assert unreadable == []
    # The encryption notice iOS writes under the chat's name is not a message.
    assert [m.record for m in messages] == [f"line {n}" for n in range(2, 8)]
    home, who, photo, omitted, deleted, voice = messages
    assert home.timestamp == utc(2024, 4, 3, 20, 8, 40)  # 9:08:40 PM BST
    assert home.original_time == "4/3/24, 9:08:40\u202fPM"
    assert who.text == "who is this"  # the U+200E mark is not part of the words
    assert photo.text == "look at this <attached: 00000007-PHOTO-2024-04-03-21-15-02.jpg>"
    assert photo.attachments == ("00000007-PHOTO-2024-04-03-21-15-02.jpg",)
    assert omitted.kind == "media_omitted" and deleted.kind == "deleted"
    assert deleted.timestamp == utc(2024, 4, 12, 23, 5, 9)  # 12:05:09 AM on 13 April, BST
    assert voice.attachments == ("00000009-AUDIO-2024-04-13-00-06-00.opus",)


def test_android_twelve_hour_clock_with_narrow_space_before_am_pm():
    messages, unreadable = parse(DATA / "android_12h_nnbsp.txt")
    assert unreadable == []
    hide, answer, leave, media, photo = messages
    assert hide.timestamp == utc(2024, 3, 13, 23, 59)
    assert answer.timestamp == utc(2024, 3, 14, 0, 5)  # "12:05 am" is five past midnight
    assert leave.timestamp == utc(2024, 3, 14, 12, 30)  # "12:30 pm" is half past noon
    assert media.kind == "media_omitted"
    assert photo.attachments == ("IMG-20240314-WA0001.jpg",)
    assert photo.text == "IMG-20240314-WA0001.jpg (file attached)\nlook what I have"


def test_german_dates_and_localised_system_lines():
    messages, unreadable = parse(DATA / "german.txt")
    assert unreadable == []
    assert [(m.sender, m.kind, m.record) for m in messages] == [
        ("Sam Doe", "message", "line 2"),
        ("Sam Doe", "media_omitted", "line 4"),
        ("Sam Doe", "deleted", "line 5"),
        ("Ana Lima", "message", "line 6"),
    ]
    assert messages[0].timestamp == utc(2021, 12, 24, 18, 30)
    assert messages[0].text == "Frohe Weihnachten, ich sehe dich"


def test_multiline_system_lines_and_unreadable_lines_are_counted_with_numbers():
    messages, unreadable = parse(DATA / "android_mixed.txt")
    assert [(u.record, u.reason) for u in unreadable] == [
        ("line 1", "text before the first dated message of the chat"),
        ("line 13", '"31/02/2024" is not a real date when read as day/month'),
    ]
    texts = {m.record: m.text for m in messages}
    # A message runs on over the following lines, blank ones and date-like ones included.
    assert texts["line 4"] == (
        "answer me\nor I will come over\n\n2016-04-29 10:30:00 this line looks like a log"
    )
    # System lines (encryption, group created, added, subject with ': ' in it) are not messages.
    assert sorted(texts, key=lambda r: int(r.split()[1])) == [
        "line 3", "line 4", "line 11", "line 12", "line 14", "line 15",
    ]  # fmt: skip
    kinds = {m.record: m.kind for m in messages}
    assert (kinds["line 11"], kinds["line 12"]) == ("media_omitted", "deleted")


def test_lines_after_an_unreadable_header_or_a_notice_are_reported_not_dropped(tmp_path):
    """A message's further lines go with it; when its date or time cannot be read, or the line
    is WhatsApp's own notice, they are reported one by one instead of vanishing with it."""
    chat = tmp_path / "chat.txt"
    chat.write_text(
        '03/04/2024, 21:07 - Sam Doe created group "Friends"\n'
        "a line nobody would expect here\n"
        "03/04/2024, 21:08 - Sam Doe: are you home?\n"
        "31/02/2024, 21:09 - Sam Doe: on a day that does not exist\n"
        "and a second line\n"
        "\n"
        "03/04/2024, 21:10 - Sam Doe: answer me\n"
        "or I will come over\n",
        encoding="utf-8",
    )
    messages, unreadable = parse(chat, dayfirst=True)
    assert [(m.record, m.text) for m in messages] == [
        ("line 3", "are you home?"),
        ("line 7", "answer me\nor I will come over"),
    ]
    assert [(u.record, u.reason) for u in unreadable] == [
        ("line 2", "a further line after WhatsApp's own notice at line 1"),
        ("line 4", '"31/02/2024" is not a real date when read as day/month'),
        ("line 5", "a further line of line 4, whose date could not be read"),
    ]


def test_undecidable_day_order_asks_for_the_flag(tmp_path):
    chat = tmp_path / "chat.txt"
    chat.write_text("03/04/2024, 21:08 - Sam Doe: are you home?\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"--dayfirst.*--monthfirst") as error:
        parse(chat)
    assert "\n" not in str(error.value)
    [april] = parse(chat, dayfirst=True)[0]
    [march] = parse(chat, dayfirst=False)[0]
    assert april.timestamp == utc(2024, 4, 3, 20, 8)  # 3 April, BST
    assert march.timestamp == utc(2024, 3, 4, 21, 8)  # 4 March, GMT
    assert "--dayfirst" in april.timezone_basis


def test_a_flag_that_contradicts_the_file_is_refused():
    with pytest.raises(UserError, match=r"cannot be read with --monthfirst.*use --dayfirst"):
        parse(FIXTURES / "test_ddmmyy_24hrs.txt", dayfirst=False)


def test_time_zone_flag_and_clock_changes(tmp_path):
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "27/10/2024, 01:30 - Sam Doe: first time the clock shows 01:30\n"
        "27/10/2024, 01:10 - Sam Doe: after the clocks went back\n"
        "31/03/2024, 01:30 - Sam Doe: a time that never happened\n",
        encoding="utf-8",
    )
    first, second, gap = parse(chat)[0]
    assert first.timestamp == utc(2024, 10, 27, 0, 30)  # 01:30 BST
    assert second.timestamp == utc(2024, 10, 27, 1, 10)  # 01:10 GMT: placed by file order
    assert "second was assumed" in second.timezone_basis
    assert "did not exist" in gap.timezone_basis
    [paris, *_] = parse(chat, tz="Europe/Paris")[0]
    assert paris.timestamp == utc(2024, 10, 26, 23, 30)
    assert "Europe/Paris (given with --tz" in paris.timezone_basis
    with pytest.raises(UserError, match="--tz Mars/Olympus"):
        parse(chat, tz="Mars/Olympus")


def test_not_a_whatsapp_export_and_not_utf8_are_one_line_errors(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\nmilk\n", encoding="utf-8")
    assert not WhatsAppImporter().detect(notes)
    with pytest.raises(UserError, match="not a WhatsApp chat export"):
        parse(notes)
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"01/01/2024, 10:00 - Sam: hi\n13/01/2024, 10:01 - Sam: caf\xe9\n")
    with pytest.raises(UserError, match=r"broken.txt line 2: this is not UTF-8 text"):
        parse(broken)


def test_utf16_export_resaved_in_notepad_is_read(tmp_path):
    chat = tmp_path / "chat.txt"
    chat.write_text("13/01/2024, 10:00 - Sam Doe: hello\n", encoding="utf-16")
    [message] = parse(chat)[0]
    assert (message.sender, message.text) == ("Sam Doe", "hello")


def test_messages_built_by_the_fast_path_equal_ordinary_ones():
    messages, _ = parse(DATA / "ios_lrm_seconds.txt")
    for message in messages:
        rebuilt = Message(**{f.name: getattr(message, f.name) for f in fields(Message)})
        assert rebuilt == message and hash(rebuilt) == hash(message)


REAL_CHATS = sorted(
    {*(ROOT / "tests" / "fixtures" / "real").rglob("*.txt"), *DATA.glob("*.txt")}
    - set((ROOT / "tests" / "fixtures" / "real" / "cpython-email").rglob("*"))
)


@pytest.mark.parametrize("block", [1, 7, 64])
def test_the_text_read_in_blocks_of_any_size_gives_the_same_messages(tmp_path, block, monkeypatch):
    """The parse loop reads the text a block of lines at a time; where the blocks end (inside a
    line, between a CR and its LF, inside a multi-line message) must never change a message."""
    from harassment_pack.importers import whatsapp

    chats = [path for path in REAL_CHATS if WhatsAppImporter().detect(path)]
    assert len(chats) >= 15
    mixed = tmp_path / "mixed endings.txt"  # CR, CRLF and LF, and marks only in some blocks
    mixed.write_bytes(
        b"13/01/2024, 10:00 - Sam Doe: one\r\ntwo\r13/01/2024, 10:01 - Jo: three\n\n"
        + "13/01/2024, 10:02 - Sam Doe: \u200efour\r\n".encode()
        + b"13/01/2024, 10:03 - Sam Doe: five\r\n"
    )
    chats.append(mixed)

    def read(path: Path) -> tuple[list[Message], list[Unreadable]]:
        try:
            return parse(path)
        except UserError:  # a chat whose own dates cannot say which comes first
            return parse(path, dayfirst=True)

    whole = {path: read(path) for path in chats}
    monkeypatch.setattr(whatsapp, "_BLOCK", block)
    for path in chats:
        assert read(path) == whole[path], path.name
    assert [m.text for m in whole[mixed][0]] == ["one\ntwo", "three", "four", "five"]
