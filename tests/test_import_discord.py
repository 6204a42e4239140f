"""Discord data package: our own package (tests/data/discord) in both eras' layouts."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harassment_pack.errors import UserError
from harassment_pack.importers.base import Message, ParseOptions, Unreadable
from harassment_pack.importers.discord import discord
from harassment_pack.platform_urls import discord_time

PACKAGE = Path(__file__).resolve().parent / "data" / "discord" / "package"
DM = "messages/c1225000000000000000/messages.json"
LEGACY = "messages/700000000000000000/messages.csv"


def parse(path: Path) -> list[Message | Unreadable]:
    return list(discord.parse(path, ParseOptions()))


def test_package_messages_with_owner_times_and_addresses():
    found = parse(PACKAGE)
    assert discord.detect(PACKAGE)
    words = [m for m in found if isinstance(m, Message)]
    assert {(m.sender, m.sender_alias) for m in words} == {("jane_doe_99", "111222333444555666")}
    dm = [m for m in words if m.source_file == DM]
    assert [m.text for m in dm] == ["stop replying to me", ""]
    assert dm[0].timestamp == datetime(2024, 4, 3, 20, 8, 40, tzinfo=UTC)
    assert dm[0].timezone_basis == "UTC (Discord writes its package times in UTC)"
    assert dm[0].conversation == "Direct Message with the_harasser#0"
    assert dm[0].url == "https://discord.com/channels/@me/1225000000000000000/1225175158377951237"
    assert dm[1].links[0].startswith("https://cdn.discordapp.com/attachments/")
    assert dm[1].attachments == ()
    (empty,) = [f for f in found if isinstance(f, Unreadable)]
    assert empty.record == f"{DM} [2]"


def test_ids_agree_with_times_and_stay_exact():
    rows = json.loads((PACKAGE / DM).read_text())
    assert rows[0]["ID"] > 2**53  # Python's json keeps it exact; a float would not
    for row in rows[:2]:
        assert (
            abs(
                discord_time(row["ID"]) - datetime.fromisoformat(row["Timestamp"] + "+00:00")
            ).total_seconds()
            < 1
        )
    found = [m for m in parse(PACKAGE) if isinstance(m, Message)]
    assert str(rows[0]["ID"]) in found[-2].url


def test_legacy_csv_keeps_quotes_and_line_breaks():
    legacy = [m for m in parse(PACKAGE) if isinstance(m, Message) and m.source_file == LEGACY]
    assert legacy[0].text == 'I said "no", and I meant it\r\nplease leave me alone'
    assert legacy[0].record == "line 2" and legacy[1].record == "line 4"
    assert legacy[0].timestamp == datetime(2020, 8, 25, 22, 54, 5, 726000, tzinfo=UTC)
    assert legacy[0].conversation == "general in Old Server"
    assert legacy[0].url.startswith("https://discord.com/channels/600000000000000000/")


def test_zip_capitalised_folders_and_single_file(tmp_path):
    bundle = tmp_path / "package.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        for file in PACKAGE.rglob("*"):
            if file.is_file():
                name = file.relative_to(PACKAGE).as_posix()
                zf.write(
                    file, name.replace("messages/", "Messages/").replace("account/", "Account/")
                )
    assert discord.detect(bundle)
    assert [m.text for m in parse(bundle) if isinstance(m, Message)] == [
        m.text for m in parse(PACKAGE) if isinstance(m, Message)
    ]
    single = parse(PACKAGE / LEGACY)
    assert [m.sender for m in single] == ["You", "You"]  # no user.json beside one file
    assert single[0].conversation == "general" and single[0].source_file is None


def test_time_that_disagrees_with_the_id_is_said(tmp_path):
    package = tmp_path / "package"
    shutil.copytree(PACKAGE, package)
    rows = json.loads((package / DM).read_text())
    rows[0]["Timestamp"] = "2024-04-03 23:08:40"
    (package / DM).write_text(json.dumps(rows))
    first = next(m for m in parse(package) if isinstance(m, Message) and m.source_file == DM)
    assert "the message ID says 2024-04-03 20:08:40 UTC instead" in first.timezone_basis


def test_folder_without_messages_is_refused(tmp_path):
    with pytest.raises(UserError, match="no Discord messages found"):
        parse(tmp_path)
