"""Email: our own .eml and two-message mbox (tests/data/email)."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime
from pathlib import Path

from harassment_pack.importers.base import Message, ParseOptions, Unreadable
from harassment_pack.importers.email import email, extract_attachments

DATA = Path(__file__).resolve().parent / "data" / "email"


def parse(path: Path, **options) -> list[Message | Unreadable]:
    return list(email.parse(path, ParseOptions(**options)))


def test_eml_plain_body_zone_subject_and_attachment(tmp_path):
    (message,) = parse(DATA / "threat.eml")
    assert email.detect(DATA / "threat.eml")
    assert message.sender == "sam.doe@example.net" and message.sender_alias == "Sam Doe"
    assert message.text.startswith("I know you moved to Leðds. I will find the new flat.")
    assert "Don\u2019t ignore me." in message.text  # quoted-printable UTF-8 decoded
    assert message.timestamp == datetime(2024, 4, 2, 21, 15, 3, tzinfo=UTC)
    assert message.original_time == "Tue, 2 Apr 2024 22:15:03 +0100"
    assert "(+0100)" in message.timezone_basis
    assert message.conversation == "You can\u2019t hide"
    assert message.attachments == ("email:0/0/her street.png",)
    out = tmp_path / "evidence" / "her street.png"
    extract_attachments(DATA / "threat.eml", {message.attachments[0]: out})
    lines = (DATA / "threat.eml").read_bytes().splitlines()
    encoded = next(line for line in lines if line.startswith(b"iVBOR"))
    assert out.read_bytes() == base64.b64decode(encoded)
    assert os.stat(out).st_mode & 0o777 == 0o600


def test_mbox_two_messages_html_and_unreadable_zones():
    found = parse(DATA / "two.mbox")
    assert email.detect(DATA / "two.mbox")
    assert [m.record for m in found] == ["line 2", "line 12"]
    first, second = found
    assert first.text == "Why won't you answer?\nI'm outside & waiting."  # HTML reduced to text
    assert first.original_time == "Wed, 03 Apr 2024 08:01:00 CEST"
    assert "no zone I can read; taken as Europe/London" in first.timezone_basis
    assert first.timestamp == datetime(2024, 4, 3, 7, 1, tzinfo=UTC)
    assert second.sender == "jane@example.org"
    # mboxrd quoting (">From") is kept as written, as Python's mailbox keeps it.
    assert second.text == "Please stop contacting me.\n>From now on I will report every message.\n"
    assert second.timestamp == datetime(2024, 4, 3, 9, 30, tzinfo=UTC)
    assert second.timezone_basis == "UTC (the Date header says -0000)"
    assert parse(DATA / "two.mbox", tz="Europe/Paris")[0].timestamp == datetime(
        2024, 4, 3, 6, 1, tzinfo=UTC
    )


def test_received_header_when_date_is_missing_and_no_sender_reported(tmp_path):
    path = tmp_path / "saved.eml"
    path.write_bytes(
        b"Received: from a by b; Mon, 01 Jul 2024 10:00:00 +0000\r\n"
        b"From: anon@example.com\r\nSubject: hi\r\n\r\nbody\r\n"
    )
    (message,) = parse(path)
    assert message.timestamp == datetime(2024, 7, 1, 10, tzinfo=UTC)
    assert "receiving mail server" in message.timezone_basis
    path.write_bytes(b"Subject: no sender\r\nDate: Mon, 01 Jul 2024 10:00:00 +0000\r\n\r\nx\r\n")
    (unreadable,) = parse(path)
    assert isinstance(unreadable, Unreadable) and unreadable.record == "email 1 (line 1)"


def _mbox(*emails: bytes, newline: bytes = b"\n") -> bytes:
    return b"".join(e.replace(b"\n", newline) for e in emails)


CRAMMED = _mbox(
    b"From sam@example.net Mon Jul  1 10:00:00 2024\n"
    b"From: Sam <sam@example.net>\nDate: Mon, 01 Jul 2024 10:00:00 +0000\nSubject: one\n\n"
    b"first body\n"
    # no blank line before the next separator: still a new email, as mailbox.mbox reads it
    b"From alex@example.org Mon Jul  1 11:00:00 2024\n"
    b"From: Alex <alex@example.org>\nDate: Mon, 01 Jul 2024 11:00:00 +0000\nSubject: two\n\n"
    b"second body\n\n"
    b"From sam@example.net Mon Jul  1 12:00:00 2024\n"
    b"From: Sam <sam@example.net>\nDate: Mon, 01 Jul 2024 12:00:00 +0000\nSubject: three\n\n"
    b"third body\nFrom time to time\n"
)


def test_mbox_is_split_exactly_where_pythons_mailbox_splits_it(tmp_path):
    import mailbox

    path = tmp_path / "mail.mbox"
    path.write_bytes(CRAMMED)
    from harassment_pack.importers.email import _emails

    ours = [raw for position, _line, raw in _emails(path) if position >= 0]
    box = mailbox.mbox(path, create=False)
    assert ours == [box.get_bytes(key) for key in box.iterkeys()]
    assert len(ours) == 4  # "From time to time" starts a (headerless) fourth, as in mailbox
    found = parse(path)
    messages = [m for m in found if isinstance(m, Message)]
    assert [(m.sender, m.text.strip()) for m in messages] == [
        ("sam@example.net", "first body"),
        ("alex@example.org", "second body"),
        ("sam@example.net", "third body"),
    ]
    (unreadable,) = [u for u in found if isinstance(u, Unreadable)]
    assert unreadable.record == "email 4 (line 20)"


def test_mbox_with_a_byte_order_mark_and_windows_line_ends(tmp_path):
    path = tmp_path / "takeout.mbox"
    path.write_bytes(b"\xef\xbb\xbf" + _mbox(CRAMMED, newline=b"\r\n"))
    messages = [m for m in parse(path) if isinstance(m, Message)]
    assert [m.conversation for m in messages] == ["one", "two", "three"]
    assert email.detect(path)


def _plain(charset: str, body: bytes) -> bytes:
    return (
        b"From: Sam <sam@example.net>\nDate: Mon, 01 Jul 2024 10:00:00 +0000\nSubject: s\n"
        b"MIME-Version: 1.0\nContent-Type: text/plain; charset=" + charset.encode() + b"\n"
        b"Content-Transfer-Encoding: 8bit\n\n" + body
    )


def test_charsets_declared_wrongly_are_read_as_utf8_or_reported_never_mojibake(tmp_path):
    words = "我知道你住在哪里 — I know where you live"
    cases = {
        "gb2312-but-utf8.eml": (_plain("gb2312", words.encode("utf-8")), words),
        "latin1-but-utf8.eml": (_plain("iso-8859-1", "Leðds café".encode()), "Leðds café"),
        "latin1.eml": (_plain("iso-8859-1", "Leðds café".encode("latin-1")), "Leðds café"),
        "gb2312.eml": (_plain("gb2312", words.encode("gb2312", "ignore")), None),
        "unknown-charset.eml": (_plain("x-made-up", "café".encode()), "café"),
    }
    for name, (data, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        (found,) = parse(path)
        if expected is None:  # real GB2312 text: read by its own charset
            assert found.text == words.encode("gb2312", "ignore").decode("gb2312"), name
        else:
            assert found.text == expected, name
    broken = tmp_path / "broken.eml"
    broken.write_bytes(_plain("utf-8", b"caf\xe9 \xff\xfe"))
    (unreadable,) = parse(broken)
    assert isinstance(unreadable, Unreadable) and unreadable.record == "email 1 (line 1)"
    assert "declared as utf-8 but is not" in unreadable.reason


def test_text_before_the_first_separator_of_an_mbox_is_reported_not_dropped(tmp_path):
    path = tmp_path / "saved.mbox"
    path.write_bytes(b"notes I typed at the top\n\n" + CRAMMED)
    found = parse(path)
    assert isinstance(found[0], Unreadable) and found[0].record == "line 1"
    assert "before the first email" in found[0].reason
    assert [m.conversation for m in found if isinstance(m, Message)] == ["one", "two", "three"]
