"""X archive: the real window.YTD fixtures, plus our own posts and DMs (tests/data/x)."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harassment_pack.errors import UserError
from harassment_pack.importers._common import ExportTree
from harassment_pack.importers.base import Message, ParseOptions, Unreadable
from harassment_pack.importers.x import x

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "x"
DATA = Path(__file__).resolve().parent / "data" / "x"
TWITTER_EPOCH_MS = 1288834974657


@pytest.fixture()
def archive(tmp_path) -> Path:
    """Our posts and messages with the real fixture account.js, as an unpacked archive."""
    root = tmp_path / "twitter-2024-04-06"
    shutil.copytree(DATA, root)
    shutil.copy(FIXTURES / "account.js", root / "data" / "account.js")
    return root


def parse(path: Path) -> list[Message | Unreadable]:
    return list(x.parse(path, ParseOptions()))


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.js")), ids=lambda p: p.name)
def test_every_fixture_unwraps_to_its_records(fixture):
    text = fixture.read_text()
    records = ExportTree(fixture).load_json(fixture.name, prefix_to_strip=True)
    assert isinstance(records, list)
    # Each record of a YTD file is one object keyed by the record type; count them in the text.
    key = next(iter(records[0])) if records else None
    assert len(records) == (text.count(f'"{key}" :') if key else 0)
    assert x.detect(fixture)


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.js")), ids=lambda p: p.name)
def test_a_file_without_posts_or_messages_is_refused_kindly(fixture):
    with pytest.raises(UserError) as error:
        parse(fixture)
    assert "no posts or direct messages" in str(error.value) and "\n" not in str(error.value)


def test_archive_without_posts_or_messages_is_refused():
    with pytest.raises(UserError, match="no posts or direct messages found"):
        parse(FIXTURES)


def test_direct_messages_oldest_first_with_ids_kept_and_owner_named(archive):
    found = parse(archive)
    dms = [
        m
        for m in found
        if isinstance(m, Message) and m.conversation == "direct messages 12497-987654321"
    ]
    assert [m.timestamp for m in dms] == sorted(m.timestamp for m in dms)
    assert [m.sender for m in dms] == ["987654321", "987654321", "12497", "987654321"]
    assert {m.sender_alias for m in dms if m.sender == "12497"} == {"@simonw"}
    assert {m.sender_alias for m in dms if m.sender == "987654321"} == {None}
    assert dms[-1].text == "I know where you live & I'm coming\nover tonight https://t.co/pic1"
    assert dms[1].text.startswith("😡 why are you ignoring me?")
    for message in dms:
        assert message.source_file == "data/direct-messages.js"
        assert message.timezone_basis == 'UTC in the export (ISO 8601 with "Z")'
        assert message.timestamp == datetime.fromisoformat(message.original_time)


def test_message_ids_agree_with_their_times():
    """The snowflake id encodes the send time: the data and the parse must both respect it."""
    text = (DATA / "data" / "direct-messages.js").read_text()
    conversation = json.loads(text[text.index("[") :])[0]["dmConversation"]
    for event in conversation["messages"]:
        if "messageCreate" in event:
            body = event["messageCreate"]
            encoded = (int(body["id"]) >> 22) + TWITTER_EPOCH_MS
            created = datetime.fromisoformat(body["createdAt"])
            assert created - datetime(1970, 1, 1, tzinfo=UTC) == timedelta(milliseconds=encoded)


def test_media_in_the_archive_is_an_attachment_and_the_rest_a_link(archive):
    found = [m for m in parse(archive) if isinstance(m, Message)]
    photo = next(m for m in found if m.attachments)
    assert photo.attachments == ("data/direct_messages_media/1775787940639682617-AbCdEf.jpg",)
    assert (archive / photo.attachments[0]).is_file()
    video = next(m for m in found if any("twimg" in link for link in m.links))
    assert video.links[0].startswith("https://video.twimg.com/dm_video/")
    assert video.attachments == ()


def test_conversation_events_are_not_messages_and_unknown_ones_are_reported(archive):
    found = parse(archive)
    unreadable = [f for f in found if isinstance(f, Unreadable)]
    assert len(unreadable) == 1
    assert "futureEventNobodyKnows" in unreadable[0].text
    assert unreadable[0].record == "data/direct-messages.js [0].messages[5]"
    group = [
        m
        for m in found
        if isinstance(m, Message) and "1773998599173058617" in (m.conversation or "")
    ]
    assert [(m.sender, m.text) for m in group] == [
        ("987654321", "added her so she can see this"),
        ("555000111", "everyone knows what she did"),
    ]
    assert all(m.source_file == "data/direct-messages-group.js" for m in group)


def test_posts_keep_their_words_and_address(archive):
    posts = [m for m in parse(archive) if isinstance(m, Message) and m.kind == "post"]
    assert [p.text for p in posts] == [
        "Blocking people who send threats & abuse <> is fine",
        "just setting up my twttr",
    ]
    assert posts[0].url == "https://x.com/i/status/1776369479840706617"
    assert posts[0].timestamp == datetime(2024, 4, 5, 22, 1, 2, tzinfo=UTC)
    assert posts[0].original_time == "Fri Apr 05 22:01:02 +0000 2024"
    assert {(p.sender, p.sender_alias) for p in posts} == {("12497", "@simonw")}


def test_zip_and_single_files_give_the_same_messages(archive, tmp_path):
    bundle = tmp_path / "twitter.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        for file in archive.rglob("*"):
            if file.is_file():
                zf.write(file, file.relative_to(archive).as_posix())
    assert x.detect(bundle) and x.detect(archive)
    from_folder = [m for m in parse(archive) if isinstance(m, Message)]
    from_zip = [m for m in parse(bundle) if isinstance(m, Message)]
    assert from_zip == from_folder
    with zipfile.ZipFile(bundle) as zf:
        assert zf.read(from_zip[-1].attachments[0]).startswith(b"\xff\xd8")
    single = [m for m in parse(archive / "data" / "direct-messages.js") if isinstance(m, Message)]
    assert [m.text for m in single] == [
        m.text for m in from_folder if m.conversation == "direct messages 12497-987654321"
    ]
    assert all(m.sender_alias is None for m in single)  # no account.js beside a single file
    assert single[-1].attachments == ("direct_messages_media/1775787940639682617-AbCdEf.jpg",)


def test_empty_and_damaged_files(archive):
    (archive / "data" / "tweets.js").write_text("window.YTD.tweets.part0 = []\n")
    found = parse(archive)
    assert not [m for m in found if isinstance(m, Message) and m.kind == "post"]
    (archive / "data" / "tweets.js").write_text("window.YTD.tweets.part0 = [ {")
    damaged = [
        f for f in parse(archive) if isinstance(f, Unreadable) and f.record == "data/tweets.js"
    ]
    assert len(damaged) == 1 and "not valid JSON" in damaged[0].reason
    with pytest.raises(UserError, match="damaged"):
        parse(archive / "data" / "tweets.js")


def test_short_links_keep_where_they_led_and_welcome_messages_are_read(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    dms = [{"dmConversation": {"conversationId": "1-2", "messages": [
        {"welcomeMessageCreate": {"recipientId": "2", "urls": [], "text": "Thanks for writing!",
                                  "mediaUrls": [], "senderId": "1", "id": "1775616426627838001",
                                  "createdAt": "2024-04-03T20:00:00.000Z"}},
        {"messageCreate": {"recipientId": "2", "text": "look https://t.co/zz", "mediaUrls": [],
                           "urls": [{"url": "https://t.co/zz", "expanded": "https://example.org/you",
                                     "display": "example.org/you"}],
                           "senderId": "1", "id": "1775616426627838009",
                           "createdAt": "2024-04-03T20:08:40.123Z"}},
    ]}}]  # fmt: skip
    (data / "direct-messages.js").write_text(
        "window.YTD.direct_messages.part0 = " + json.dumps(dms), encoding="utf-8"
    )
    found = parse(tmp_path)
    assert [(m.kind, m.text) for m in found] == [
        ("welcome", "Thanks for writing!"),
        ("message", "look https://t.co/zz"),
    ]
    assert found[1].links == ("https://example.org/you",)


def test_posts_keep_the_full_address_of_their_short_links(archive):
    posts = [m for m in parse(archive) if isinstance(m, Message) and m.kind == "post"]
    tweets = archive / "data" / "tweets.js"
    data = json.loads(tweets.read_text(encoding="utf-8").split("=", 1)[1])
    data[0]["tweet"]["entities"]["urls"] = [
        {"url": "https://t.co/q", "expanded_url": "https://example.org/her-address"}
    ]
    tweets.write_text("window.YTD.tweets.part0 = " + json.dumps(data), encoding="utf-8")
    again = [m for m in parse(archive) if isinstance(m, Message) and m.kind == "post"]
    first, again_first = (next(m for m in ms if m.record == "[0]") for ms in (posts, again))
    assert first.links == ()
    assert "https://example.org/her-address" in again_first.links
