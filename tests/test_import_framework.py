"""The import command end to end: preview, senders, incidents, exhibits, repeat imports, safety."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from harassment_pack import importers
from harassment_pack.case import PARSED_CACHE, load_case
from harassment_pack.errors import UserError
from harassment_pack.evidence import file_sha256
from harassment_pack.importers import import_export

from .conftest import ROOT, SAMPLES, copy_sample

DATA = ROOT / "tests" / "data" / "whatsapp"
MINIMAL_INCIDENTS = 1


@pytest.fixture()
def case(tmp_path) -> Path:
    target = tmp_path / "case"
    copy_sample(SAMPLES / "minimal", target)
    return target


def snapshot(case: Path) -> dict[str, bytes]:
    """Every file of the case folder with its bytes, to prove nothing changed.

    The parsed-case cache is left out: reading a case may write it, and it only mirrors
    case.yaml (it is checked against the file's hash on every load).
    """
    return {
        str(p.relative_to(case)): p.read_bytes()
        for p in sorted(case.rglob("*"))
        if p.is_file() and p.name != PARSED_CACHE
    }


def run_import(case: Path, path: Path, **options) -> importers.ImportSummary:
    options.setdefault("senders", ["sam doe"])
    options.setdefault("assume_yes", True)
    return import_export(case, options.pop("fmt", "auto"), path, **options)


def test_chosen_messages_become_incidents_with_source_and_exhibit(case):
    chat = DATA / "android_mixed.txt"
    summary = run_import(case, chat)
    assert summary.added == 5 and summary.preview.senders == {"Sam Doe": 5, "Ana Lima": 1}
    assert summary.preview.unreadable == 2
    assert summary.preview.unreadable_records == ["line 1", "line 13"]
    assert any("line 1, line 13" in line for line in summary.lines())
    loaded = load_case(case)
    imported = loaded.incidents[MINIMAL_INCIDENTS:]
    [export] = loaded.evidence
    assert export.file == f"evidence/{chat.name}" and export.sha256 == file_sha256(chat)
    assert (case / export.file).read_bytes() == chat.read_bytes()  # the exhibit is byte for byte
    first = imported[0]
    assert first.when.isoformat() == "2024-04-03T20:08:00+00:00"
    assert first.exact_words == "are you home?" and first.kinds == []
    assert first.summary == "Message from Sam Doe on WhatsApp"
    assert first.evidence == [export.id]
    assert first.source.kind == "imported" and first.source.record == "line 3"
    assert first.source.file_sha256 == export.sha256
    assert first.source.original_time == "03/04/2024, 21:08"
    assert "Europe/London" in (first.source.timezone_basis or "")
    respondent = loaded.respondent(first.respondent)
    assert respondent is not None and respondent.accounts[0].handle == "Sam Doe"
    assert {i.respondent for i in imported} == {respondent.id}
    deleted = next(i for i in imported if i.source.record == "line 12")
    assert deleted.exact_words is None and "deleted a message" in deleted.summary
    assert [(c.sender, c.text) for c in loaded.context] == [("Ana Lima", "stop")]


def test_importing_the_same_file_twice_adds_nothing(case):
    chat = DATA / "android_mixed.txt"
    run_import(case, chat)
    before = snapshot(case)
    again = run_import(case, chat)
    assert (again.added, again.already) == (0, 5)
    assert snapshot(case) == before


def test_overlapping_exports_merge_without_duplicates(case, tmp_path):
    lines = (DATA / "android_mixed.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    early, late = tmp_path / "early.txt", tmp_path / "late.txt"
    early.write_text("".join(lines[:12]), encoding="utf-8")  # up to the deleted message
    late.write_text("".join(lines[10:]), encoding="utf-8")  # from the media line on
    first = run_import(case, early, dayfirst=True)  # no day over 12 in this part
    second = run_import(case, late)
    assert (first.added, second.added, second.already) == (4, 1, 2)
    loaded = load_case(case)
    words = [i.source.record for i in loaded.incidents[MINIMAL_INCIDENTS:]]
    assert len(words) == 5
    assert len({i.source.content_key for i in loaded.incidents[MINIMAL_INCIDENTS:]}) == 5
    assert len(loaded.evidence) == 2  # each export is its own exhibit


def test_the_same_words_twice_in_a_minute_are_two_incidents(case, tmp_path):
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "13/04/2024, 21:08 - Sam Doe: answer me\n13/04/2024, 21:08 - Sam Doe: answer me\n",
        encoding="utf-8",
    )
    assert run_import(case, chat).added == 2
    assert run_import(case, chat).added == 0


def test_since_and_until_are_uk_days(case):
    summary = run_import(case, DATA / "android_mixed.txt", since="25/04/2024", until="25/04/2024")
    assert (summary.added, summary.outside_dates) == (1, 4)
    with pytest.raises(UserError, match="--since"):
        run_import(case, DATA / "android_mixed.txt", since="31/02/2024")


def test_unknown_sender_and_missing_choice_are_one_line_errors_listing_senders(case):
    before = snapshot(case)
    with pytest.raises(UserError, match=r'--from "Sam": no messages.*Sam Doe; Ana Lima'):
        run_import(case, DATA / "android_mixed.txt", senders=["Sam"])
    with pytest.raises(UserError, match=r"--from NAME.*Sam Doe \(5\); Ana Lima \(1\)"):
        run_import(case, DATA / "android_mixed.txt", senders=[])
    with pytest.raises(UserError, match="add --yes"):
        run_import(case, DATA / "android_mixed.txt", assume_yes=False)
    assert snapshot(case) == before


def test_confirm_sees_the_preview_first_and_can_stop_or_choose(case):
    seen = []

    def stop(preview):
        seen.append(dict(preview.senders))
        return None

    summary = run_import(case, DATA / "german.txt", assume_yes=False, confirm=stop)
    assert summary.cancelled and seen == [{"Sam Doe": 3, "Ana Lima": 1}]
    assert load_case(case).incidents[MINIMAL_INCIDENTS:] == []

    def choose(preview):
        return ["ana lima"]

    summary = run_import(case, DATA / "german.txt", senders=[], assume_yes=False, confirm=choose)
    assert summary.preview.chosen == ["Ana Lima"] and summary.added == 1
    assert load_case(case).incidents[-1].exact_words == "Lass mich in Ruhe"


def make_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_ios_zip_registers_chat_and_attachments_and_reports_missing_ones(case, tmp_path):
    chat = (DATA / "ios_lrm_seconds.txt").read_bytes()
    audio = b"OggS" + bytes(60)
    export = make_zip(
        tmp_path / "WhatsApp Chat - Sam Doe.zip",
        {"_chat.txt": chat, "00000009-AUDIO-2024-04-13-00-06-00.opus": audio},
    )
    summary = run_import(case, export)
    assert summary.added == 5 and summary.attachments_added == 1
    [problem] = summary.attachment_problems
    assert problem.startswith("00000007-PHOTO-2024-04-03-21-15-02.jpg (line 4) is named")
    loaded = load_case(case)
    chat_exhibit, voice = loaded.evidence
    assert (case / chat_exhibit.file).read_bytes() == chat  # BOM, marks and CRLF all kept
    assert chat_exhibit.file == "evidence/WhatsApp Chat - Sam Doe - _chat.txt"
    assert (case / voice.file).read_bytes() == audio
    voice_incident = next(i for i in loaded.incidents if i.source.record == "line 7")
    assert voice_incident.evidence == [chat_exhibit.id, voice.id]
    assert voice_incident.source.file == chat_exhibit.file
    assert not any(p.name.startswith(".import-") for p in case.iterdir())


@pytest.mark.parametrize("evil", ["../evil.txt", "/etc/evil.txt", "media/../../evil.txt"])
def test_zip_entries_that_would_land_outside_the_case_are_refused(case, tmp_path, evil):
    export = make_zip(
        tmp_path / "chat.zip",
        {"_chat.txt": (DATA / "android_mixed.txt").read_bytes(), evil: b"x"},
    )
    before = snapshot(case)
    with pytest.raises(UserError, match="outside the case folder") as error:
        run_import(case, export, fmt="whatsapp")
    assert "\n" not in str(error.value)
    assert snapshot(case) == before
    assert not (tmp_path / "evil.txt").exists()


def test_a_failure_mid_import_leaves_the_case_exactly_as_it_was(case, monkeypatch):
    before = snapshot(case)

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    # The exhibits are registered (and case.yaml saved) before the last save fails.
    monkeypatch.setattr(importers.CaseWrite, "commit", disk_full)
    with pytest.raises(OSError):
        run_import(case, DATA / "android_mixed.txt")
    assert snapshot(case) == before


def test_an_unreadable_byte_late_in_the_file_writes_nothing(case, tmp_path):
    chat = tmp_path / "chat.txt"
    chat.write_bytes(
        (DATA / "android_mixed.txt").read_bytes() + b"25/04/2024, 21:20 - Sam Doe: \xff\n"
    )
    before = snapshot(case)
    with pytest.raises(UserError, match="line 16: this is not UTF-8"):
        run_import(case, chat)
    assert snapshot(case) == before


def test_auto_detects_whatsapp_and_refuses_what_it_does_not_know(tmp_path):
    assert importers.detect_format(DATA / "german.txt") == "whatsapp"
    unknown = tmp_path / "notes.bin"
    unknown.write_bytes(b"\x00\x01 nothing here")
    with pytest.raises(UserError, match="does not recognise this export"):
        importers.detect_format(unknown)


def test_command_line_import_without_terminal_needs_yes_then_imports(case):
    command = [sys.executable, "-m", "harassment_pack", "import", "whatsapp",
               str(DATA / "german.txt"), "--case", str(case), "--from", "SAM DOE"]  # fmt: skip
    refused = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    done = subprocess.run([*command, "--yes"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "Imported 3 message(s) from Sam Doe as incidents." in done.stdout
    assert len(load_case(case).incidents) == MINIMAL_INCIDENTS + 3


def test_an_unknown_time_zone_is_refused_for_every_format_before_anything_is_read(case):
    email_export = Path(__file__).parent / "data" / "email" / "threat.eml"
    before = snapshot(case)
    with pytest.raises(UserError, match=r"^--tz Not/AZone: not a time zone I know"):
        importers.import_export(case, "email", email_export, senders=["x"], tz="Not/AZone",
                                assume_yes=True)  # fmt: skip
    assert snapshot(case) == before


def test_messages_can_be_credited_to_someone_already_in_the_case(case):
    """An export names him as the phone saved him; --person says he is the known respondent."""
    before = load_case(case)
    known = before.respondents[0]
    summary = run_import(case, DATA / "android_mixed.txt", person=known.name.upper())
    assert summary.added == 5 and summary.respondents_added == []
    loaded = load_case(case)
    assert len(loaded.respondents) == len(before.respondents)
    assert {i.respondent for i in loaded.incidents[MINIMAL_INCIDENTS:]} == {known.id}
    accounts = loaded.respondent(known.id).accounts
    assert ("WhatsApp", "Sam Doe") in {(a.platform, a.handle) for a in accounts}
    # Next time the account itself says who it is.
    again = run_import(case, DATA / "android_12h_nnbsp.txt")
    assert again.respondents_added == []


def test_an_unknown_person_is_one_line_naming_the_people_in_the_case(case):
    before = (case / "case.yaml").read_bytes()
    with pytest.raises(UserError) as caught:
        run_import(case, DATA / "android_mixed.txt", person="Nobody")
    message = str(caught.value)
    assert '--person "Nobody"' in message and "r1" in message and "\n" not in message
    assert (case / "case.yaml").read_bytes() == before and not (case / "evidence").exists()
