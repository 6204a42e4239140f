"""Telegram Desktop result.json: chat-miner's fixtures and our own edge cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harassment_pack.errors import UserError
from harassment_pack.importers.base import Message, ParseOptions, Unreadable
from harassment_pack.importers.telegram import telegram

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "telegram"
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"


def parse(path: Path, **options) -> list[Message | Unreadable]:
    return list(telegram.parse(path, ParseOptions(**options)))


def _pieces(text) -> list[str]:
    return (
        [text] if isinstance(text, str) else [p if isinstance(p, str) else p["text"] for p in text]
    )


@pytest.mark.parametrize("name", ["test_single_export.json", "test_batch_export.json"])
def test_fixtures_match_chat_miner_target(name):
    target = json.loads((FIXTURES / "target.json").read_text())
    document = json.loads((FIXTURES / name).read_text())
    raw = (
        document["messages"] if "messages" in document else document["chats"]["list"][0]["messages"]
    )
    found = parse(FIXTURES / name)
    assert telegram.detect(FIXTURES / name)
    assert len(found) == len(target) == len(raw)
    for message, expected, source in zip(found, target, raw, strict=True):
        assert isinstance(message, Message)
        assert message.sender == expected["author"]
        assert message.timestamp == datetime.fromisoformat(expected["timestamp"]).replace(
            tzinfo=UTC
        )
        assert message.timezone_basis == "UTC in the export (date_unixtime)"
        # chat-miner joins the pieces of formatted text with spaces, which adds characters that
        # were never sent; the exact words are the pieces joined with nothing.
        pieces = _pieces(source["text"])
        assert expected["message"] == " ".join(pieces)
        assert message.text == "".join(pieces)


def test_single_and_full_exports_agree():
    single = parse(FIXTURES / "test_single_export.json")
    full = parse(FIXTURES / "test_batch_export.json")
    assert [(m.sender, m.text, m.timestamp) for m in single] == [
        (m.sender, m.text, m.timestamp) for m in full
    ]
    assert {m.conversation for m in full} == {"Chatname"}
    assert [m.record for m in full] == ["chats.list[0].messages[0]", "chats.list[0].messages[1]"]


def test_target_file_is_not_an_export():
    assert not telegram.detect(FIXTURES / "target.json")
    with pytest.raises(UserError, match="not a Telegram export"):
        parse(FIXTURES / "target.json")


@pytest.fixture()
def export(tmp_path) -> Path:
    folder = tmp_path / "ChatExport_2024-10-27"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "photo_1@27-10-2024_01-30-00.jpg").write_bytes(b"\xff\xd8 photo")
    chat = {
        "name": "Sam Doe",
        "type": "personal_chat",
        "id": 5550001,
        "messages": [
            {"id": 1, "type": "service", "date": "2024-07-01T09:00:00", "actor": "Sam Doe",
             "action": "phone_call", "discard_reason": "missed", "text": ""},
            {"id": 2, "type": "message", "date": "2024-07-01T21:08:40", "from": "Sam Doe",
             "from_id": "user5550001", "text": ["see ", {"type": "bold", "text": "this"}, "!",
                                                 " ", {"type": "text_link", "text": "your photos",
                                                       "href": "https://example.org/leak"}]},
            {"id": 3, "type": "message", "date": "2024-10-27T01:30:00", "from": None,
             "from_id": "user777", "text": "", "photo": "photos/photo_1@27-10-2024_01-30-00.jpg"},
            {"id": 4, "type": "message", "date": "2024-07-02T10:00:00",
             "date_unixtime": "1719910800", "from": "Sam Doe", "from_id": "user5550001",
             "text": "", "photo": NOT_INCLUDED},
            {"id": 5, "type": "poll_of_the_future", "date": "2024-07-03T10:00:00"},
        ],
    }  # fmt: skip
    (folder / "result.json").write_text(json.dumps(chat), encoding="utf-8")
    return folder


def test_calls_are_calls_and_text_links_keep_their_target(export):
    call = parse(export)[0]
    assert (call.kind, call.sender, call.text) == ("missed_call", "Sam Doe", "")
    assert call.timestamp == datetime(2024, 7, 1, 8, tzinfo=UTC)
    words = parse(export)[1]
    assert words.text == "see this! your photos"
    assert words.links == ("https://example.org/leak",)


def test_old_exports_without_unixtime_use_the_given_zone(export):
    found = parse(export)
    words = found[1]
    assert isinstance(words, Message)
    assert words.text == "see this! your photos" and words.sender_alias == "user5550001"
    assert words.timestamp == datetime(2024, 7, 1, 20, 8, 40, tzinfo=UTC)  # BST, UTC+1
    assert "taken as Europe/London" in words.timezone_basis
    assert words.original_time == "2024-07-01T21:08:40" and words.source_file == "result.json"
    berlin = parse(export, tz="Europe/Berlin")[1]
    assert berlin.timestamp == datetime(2024, 7, 1, 19, 8, 40, tzinfo=UTC)
    with pytest.raises(UserError, match="--tz"):
        parse(export, tz="Mars/Olympus")


def test_deleted_account_photo_and_clock_change(export):
    photo = parse(export)[2]
    assert photo.sender == "user777" and photo.sender_alias is None
    assert photo.attachments == ("photos/photo_1@27-10-2024_01-30-00.jpg",)
    assert (export / photo.attachments[0]).is_file()
    assert "happened twice" in photo.timezone_basis  # 01:30 on the night the clocks went back


def test_media_not_included_service_skipped_and_unknown_reported(export):
    found = parse(export)
    omitted = found[3]
    assert omitted.kind == "media_omitted" and omitted.attachments == ()
    assert omitted.timezone_basis == "UTC in the export (date_unixtime)"
    assert isinstance(found[4], Unreadable) and found[4].record == "messages[4] (id 5)"
    assert len(found) == 5  # the missed call is a call, not words; other service notices skip


def test_damaged_file_is_one_line_error(tmp_path):
    path = tmp_path / "result.json"
    path.write_text('{"name": "x", "messages": [')
    with pytest.raises(UserError) as error:
        parse(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)
