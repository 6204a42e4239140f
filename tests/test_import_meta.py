"""Instagram and Messenger "Download your information" JSON, against the real fixtures."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harassment_pack.errors import UserError
from harassment_pack.importers.base import Message, ParseOptions, Unreadable
from harassment_pack.importers.meta import instagram, messenger, repair_mojibake

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
MESSENGER = FIXTURES / "messenger"
INBOX = "your_activity_across_facebook/messages/inbox"


def parse(path: Path, importer=messenger) -> list[Message | Unreadable]:
    return list(importer.parse(path, ParseOptions()))


def messages(path: Path, importer=messenger) -> list[Message]:
    found = parse(path, importer)
    assert all(isinstance(m, Message) for m in found), found
    return found  # type: ignore[return-value]


def test_instagram_matches_chat_miner_target():
    target = json.loads((FIXTURES / "instagram" / "target.json").read_text())
    found = messages(FIXTURES / "instagram" / "test_export.json", instagram)
    got = sorted((m.timestamp, m.sender, m.text) for m in found)
    expected = sorted(
        (datetime.fromisoformat(t["timestamp"]).replace(tzinfo=UTC), t["author"], t["message"])
        for t in target
    )
    assert got == expected
    assert [m.timestamp for m in found] == sorted(m.timestamp for m in found)
    assert {m.platform for m in found} == {"Instagram"}


def test_simple_thread_oldest_first_with_mojibake_repaired():
    found = messages(MESSENGER / "json_simple")
    inbox = [m for m in found if m.conversation == "Alice Example"]
    assert [m.text for m in inbox] == ["Hello", "café time?", "See you soon"]
    assert [m.sender for m in inbox] == ["Test User", "Alice Example", "Test User"]
    raw = json.loads(
        (MESSENGER / "json_simple" / INBOX / "alice_ABC123/message_1.json").read_text()
    )
    by_ms = {m["timestamp_ms"]: m for m in raw["messages"]}
    for message in inbox:
        stamp = int(message.original_time)
        assert message.timestamp == datetime.fromtimestamp(stamp / 1000, UTC)
        assert message.source_file == f"{INBOX}/alice_ABC123/message_1.json"
        assert raw["messages"][int(message.record[9:-1])] is by_ms[stamp]
    archived = [m for m in found if m.conversation == "Zoe Archive"]
    assert [m.text for m in archived] == ["Old message in archive"]


def test_multi_file_conversation_merged_by_number_not_name():
    found = messages(MESSENGER / "json_multifile")
    assert [m.text[:9] for m in found] == ["Message A", "Message B", "Message C", "Message D"]
    assert found[-1].source_file.endswith("dave_MULTI/message_10.json")


def test_group_chat_keeps_every_sender():
    found = messages(MESSENGER / "json_group")
    assert [(m.sender, m.text) for m in found] == [
        ("Test User", "Hey crew"),
        ("Alice Example", "Hi!"),
        ("Bob Example", "Hello."),
    ]
    assert {m.conversation for m in found} == {"Crew"}


def test_non_text_messages_calls_shares_media_and_notices():
    found = messages(MESSENGER / "json_nontext")
    kinds = [(m.sender, m.kind) for m in found]
    assert (
        kinds.count(("Sam NonText", "missed_call")) == 1 and kinds.count(("Test User", "call")) == 1
    )
    share = next(m for m in found if m.links)
    assert share.links == ("https://example.com/article",)
    photo = next(m for m in found if m.sender == "Sam NonText" and m.attachments)
    # The photo is missing from the export: its expected place is still given, to be reported.
    assert photo.attachments == (f"{INBOX}/sam_NONTXT/photos/missing.jpg",)
    assert not (MESSENGER / "json_nontext" / photo.attachments[0]).exists()
    sticker = next(m for m in found if m.sender == "Test User" and m.attachments)
    assert sticker.attachments == ("your_activity_across_facebook/messages/stickers_used/1.png",)
    assert "Sam left the chat" not in [m.text for m in found]  # a notice, not a message
    assert len(found) == 5


@pytest.mark.parametrize(
    ("folder", "inner"),
    [
        ("json_with_media", f"{INBOX}/bob_XYZ789"),
        ("json_with_media_alt", "your_facebook_activity/messages/inbox/carol_ALT456"),
    ],
)
def test_media_paths_point_at_real_files_whatever_is_given(folder, inner):
    root = MESSENGER / folder
    (whole,) = messages(root)
    assert whole.attachments and (root / whole.attachments[0]).is_file()
    (single,) = messages(root / inner / "message_1.json")
    assert single.attachments == ("photos/tiny.png",)
    assert single.source_file is None
    assert (root / inner / single.attachments[0]).is_file()


def test_zip_gives_member_names(tmp_path):
    root = MESSENGER / "json_with_media"
    archive = tmp_path / "facebook-test.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in root.rglob("*"):
            if file.is_file():
                zf.write(file, file.relative_to(root).as_posix())
    assert messenger.detect(archive)
    (message,) = messages(archive)
    with zipfile.ZipFile(archive) as zf:
        assert zf.read(message.attachments[0]) == (root / message.attachments[0]).read_bytes()


def test_end_to_end_encrypted_export():
    root = MESSENGER / "e2ee_simple"
    assert messenger.detect(root)
    found = messages(root)
    alice = [m for m in found if m.conversation == "Alice Example"]
    assert [m.text for m in alice] == ["Hello", "café time?", "See you soon", "oops"]
    assert alice[-1].kind == "deleted"
    (photo,) = [m for m in found if m.attachments]
    assert photo.sender == "Bob Builder" and photo.conversation == "Weekend crew"
    assert (root / photo.attachments[0]).is_file()


def test_broken_conversation_beside_a_good_one_is_reported_not_skipped():
    found = parse(MESSENGER / "corrupt")
    broken = [f for f in found if isinstance(f, Unreadable)]
    assert len(broken) == 1 and "broken_BAD/message_1.json" in broken[0].record
    assert "not valid JSON" in broken[0].reason
    assert [m.text for m in found if isinstance(m, Message)] == ["Still valid"]


def test_broken_single_file_is_one_line_error():
    bad = MESSENGER / "corrupt" / INBOX / "broken_BAD" / "message_1.json"
    with pytest.raises(UserError) as error:
        parse(bad)
    assert str(bad) in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize(
    "path",
    [
        MESSENGER / "html_simple",
        MESSENGER / "html_with_media",
        MESSENGER / "html_multi_media",
        MESSENGER / "html_timestamps" / "layout1.html",
        MESSENGER / "html_timestamps" / "layout2.html",
        MESSENGER / "html_timestamps" / "layout3.html",
    ],
)
def test_html_exports_ask_for_json(path):
    with pytest.raises(UserError) as error:
        parse(path)
    message = str(error.value)
    assert '"Format: JSON"' in message and "Download your information" in message
    assert "\n" not in message


def test_json_beside_html_is_read_from_the_json():
    found = messages(MESSENGER / "mixed")
    assert [(m.sender, m.text) for m in found] == [
        ("Test User", "Mixed hello"),
        ("Eve Mixer", "Mixed reply"),
    ]


def test_detect_tells_the_apps_apart_and_ignores_other_files():
    assert messenger.detect(MESSENGER / "json_simple")
    assert not instagram.detect(MESSENGER / "json_simple")
    assert instagram.detect(FIXTURES / "instagram" / "test_export.json")
    assert not messenger.detect(FIXTURES / "telegram" / "test_single_export.json")
    assert not messenger.detect(FIXTURES / "sms" / "sms_small.xml")


def test_mojibake_repair_never_damages_real_text(tmp_path):
    assert repair_mojibake("caf\u00c3\u00a9 \u00f0\u009f\u0098\u00a0") == "café 😠"
    for real in ("naïve café", "Ünïcödé", "plain", "😀 emoji", "Ã"):
        assert repair_mojibake(real) == real
    # A conversation holding one correctly written "é" is left exactly as it is, even a string
    # that would otherwise look like mojibake.
    thread = tmp_path / "messages" / "inbox" / "x_1"
    thread.mkdir(parents=True)
    (thread / "message_1.json").write_text(
        json.dumps(
            {
                "participants": [{"name": "Zoë"}],
                "messages": [
                    {"sender_name": "Zoë", "timestamp_ms": 2, "content": "Ã© is how it looks"},
                    {"sender_name": "Zoë", "timestamp_ms": 1, "content": "café"},
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    assert [m.text for m in messages(tmp_path)] == ["café", "Ã© is how it looks"]


def test_messages_of_unknown_shape_are_reported(tmp_path):
    path = tmp_path / "message_1.json"
    path.write_text(
        json.dumps(
            {
                "messages": [
                    {"sender_name": "A", "timestamp_ms": "yesterday", "content": "x"},
                    {"sender_name": "A", "timestamp_ms": 5},
                    {"sender_name": "A", "timestamp_ms": 6, "content": "kept"},
                ]
            }
        )
    )
    found = parse(path)
    assert [type(f).__name__ for f in found] == ["Unreadable", "Unreadable", "Message"]
    assert found[2].text == "kept"
    assert "messages[0]" in found[0].record and "messages[1]" in found[1].record


def test_reaction_notices_are_not_the_senders_words(tmp_path):
    thread = tmp_path / "your_instagram_activity" / "messages" / "inbox" / "sam_1"
    thread.mkdir(parents=True)
    (thread / "message_1.json").write_text(json.dumps({
        "participants": [{"name": "Sam"}, {"name": "Jane"}],
        "messages": [
            {"sender_name": "Sam", "timestamp_ms": 1700000002000,
             "content": "Reacted \u00e2\u009d\u00a4 to your message "},
            {"sender_name": "Sam", "timestamp_ms": 1700000001000, "content": "you will regret it"},
        ],
        "title": "Sam",
    }), encoding="utf-8")  # fmt: skip
    found = messages(tmp_path, instagram)
    assert [(m.kind, m.text) for m in found] == [
        ("message", "you will regret it"),
        ("reaction", "Reacted ❤ to your message "),
    ]
