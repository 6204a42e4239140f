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
    assert second.text == "Please stop contacting me.\nFrom now on I will report every message.\n"
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
    assert isinstance(unreadable, Unreadable) and unreadable.record == "line 1"
