"""SMS Backup & Restore XML: the real fixtures, surrogate pairs, damage and attachments."""

from __future__ import annotations

import base64
import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harassment_pack.errors import UserError
from harassment_pack.importers import sms as sms_module
from harassment_pack.importers.base import Message, ParseOptions, Unreadable
from harassment_pack.importers.sms import extract_attachments, sms

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "sms"
HEADER = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"


def parse(path: Path) -> list[Message | Unreadable]:
    return list(sms.parse(path, ParseOptions()))


@pytest.mark.parametrize("name", ["sms_small.xml", "sample_small.xml"])
def test_sms_fixtures_match_their_records(name):
    """Each record of the file, read independently with ElementTree, becomes one message."""
    root = ET.parse(FIXTURES / name).getroot()
    found = parse(FIXTURES / name)
    assert sms.detect(FIXTURES / name)
    assert len(found) == len(root)
    for message, record in zip(found, root, strict=True):
        assert isinstance(message, Message)
        assert message.timestamp == datetime.fromtimestamp(int(record.get("date")) / 1000, UTC)
        box = record.get("type") if record.tag == "sms" else record.get("msg_box")
        assert message.sender == (record.get("contact_name") if box == "1" else "You")
        if record.tag == "sms":
            assert message.text == record.get("body")
            assert message.sender_alias == (record.get("address") if box == "1" else None)
        else:
            assert message.text == record.find("parts/part").get("text")


def test_multi_line_body_kept_whole():
    found = parse(FIXTURES / "sms_small.xml")
    assert "Body text 10\nBody text 11\nBody text 12" in [m.text for m in found]


def test_mms_attachments_are_extracted_exactly(tmp_path):
    found = parse(FIXTURES / "sample_mms.xml")
    root = ET.parse(FIXTURES / "sample_mms.xml").getroot()
    assert [m.text for m in found] == [
        mms.find("parts/part[@ct='text/plain']").get("text") for mms in root
    ]
    destinations = {}
    for message in found:
        (ref,) = message.attachments
        destinations[ref] = tmp_path / "evidence" / ref.rsplit("/", 1)[-1]
    assert sorted(p.name for p in destinations.values()) == sorted(
        mms.find("parts/part[@data]").get("name") for mms in root
    )
    extract_attachments(FIXTURES / "sample_mms.xml", destinations)
    for mms, path in zip(root, destinations.values(), strict=True):
        assert path.read_bytes() == base64.b64decode(mms.find("parts/part[@data]").get("data"))
        assert os.stat(path).st_mode & 0o777 == 0o600


def test_damaged_attachments_are_reported_and_the_words_kept():
    found = parse(FIXTURES / "corrupt_attachments.xml")
    damaged = [f for f in found if isinstance(f, Unreadable)]
    words = [m for m in found if isinstance(m, Message)]
    assert [d.text for d in damaged] == ["corrupt_image.png", "corrupt.file"]
    assert [m.text for m in words] == [
        "MMS with corrupted base64 image data",
        "MMS with unsupported attachment type",
    ]
    assert all(m.attachments == () for m in words)
    assert [d.record for d in damaged] == [m.record for m in words]


def test_empty_backup_has_no_messages():
    assert parse(FIXTURES / "empty.xml") == []


def test_real_backup_cut_short_keeps_everything_before_the_cut():
    found = parse(FIXTURES / "sms_and_mms.xml")
    *words, last = found
    assert all(isinstance(m, Message) for m in words)
    assert isinstance(last, Unreadable) and "cut short" in last.reason
    text = (FIXTURES / "sms_and_mms.xml").read_text()
    assert len(words) == text.count("<sms ") + text.count("<mms ") - 1
    assert last.record == f"line {text[: text.rindex('<mms ')].count(chr(10)) + 1}"
    group = [m for m in words if m.conversation == "group_8@rcs.google.com" and m.sender != "You"]
    assert [m.sender for m in group] == ["+15550000009", "+15550000010"]  # the FROM address
    with_photo = [m for m in words if m.attachments]
    assert with_photo and all(a.startswith("mms:") for m in with_photo for a in m.attachments)


def _backup(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sms-test.xml"
    path.write_text(HEADER + f'<smses count="1">\n{body}\n</smses>\n', encoding="utf-8")
    return path


def _sms(body: str, kind: str = "1") -> str:
    return (
        f'<sms protocol="0" address="+447700900123" date="1712171320000" type="{kind}" '
        f'body="{body}" readable_date="Apr 3, 2024 20:08:40" contact_name="null" />'
    )


@pytest.mark.parametrize("chunk", [sms_module.CHUNK, 7, 13])
def test_surrogate_pair_entities_are_repaired_even_across_chunks(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(sms_module, "CHUNK", chunk)
    path = _backup(
        tmp_path,
        _sms("hi &#55357;&#56832;&#10;&#xD83D;&#xDE21; lone &#55357; zero &#0; ok &#233;"),
    )
    (message,) = parse(path)
    assert message.text == "hi 😀\n😡 lone \ufffd zero \ufffd ok é"
    assert message.sender == "+447700900123" and message.sender_alias is None


def test_drafts_are_left_out_and_unknown_records_reported(tmp_path):
    path = _backup(tmp_path, _sms("draft", "3") + "\n" + _sms("sent", "2") + "\n<note date='x'/>")
    found = parse(path)
    assert [type(f).__name__ for f in found] == ["Message", "Unreadable"]
    assert found[0].sender == "You" and found[1].record == "line 5"


def test_call_log_backup(tmp_path):
    path = tmp_path / "calls.xml"
    path.write_text(
        HEADER + '<calls count="2">\n'
        '<call number="+447700900123" duration="0" date="1712171320000" type="3" '
        'contact_name="Sam Doe" />\n'
        '<call number="+447700900123" duration="30" date="1712171420000" type="2" '
        'contact_name="Sam Doe" />\n</calls>\n'
    )
    missed, outgoing = parse(path)
    assert (missed.sender, missed.sender_alias, missed.kind) == (
        "Sam Doe",
        "+447700900123",
        "missed_call",
    )
    assert outgoing.sender == "You"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (HEADER + "<smses>\n<sms date='1' type='1' body='a' />\n<oops></smses>", "line 4"),
        (HEADER + "<html><body/></html>", "not an SMS Backup & Restore file"),
        (HEADER + '<!DOCTYPE smses [<!ENTITY a "b">]><smses/>', "declares a DOCTYPE"),
    ],
)
def test_damaged_or_foreign_files_are_one_line_errors(tmp_path, content, expected):
    path = tmp_path / "bad.xml"
    path.write_text(content)
    with pytest.raises(UserError) as error:
        parse(path)
    assert expected in str(error.value) and "\n" not in str(error.value)
