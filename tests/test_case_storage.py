"""Where a case is kept: typed facts in case.yaml, imported messages in a JSON Lines file beside it.

The two files change together (case.yaml, written last, names the messages' file), a mistake in
either names file, line and field, and a case written by an older version (its imported messages
inside case.yaml) still loads and is moved over on its next save, with a line saying so.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harassment_pack import case as case_module
from harassment_pack.build import build_case
from harassment_pack.case import (
    CASE_FILENAME,
    PARSED_CACHE,
    case_fingerprint,
    load_case,
    save_case,
    yaml_text,
)
from harassment_pack.errors import UserError
from harassment_pack.importers import import_export
from harassment_pack.interview.session import Progress
from harassment_pack.lock import case_lock

from .conftest import ROOT, SAMPLES, TODAY, copy_sample, docx_text

CHAT = ROOT / "tests" / "data" / "whatsapp" / "android_mixed.txt"


@pytest.fixture()
def case(tmp_path) -> Path:
    """The minimal sample (one typed incident) with Sam Doe's five messages imported."""
    target = tmp_path / "case"
    copy_sample(SAMPLES / "minimal", target)
    import_export(target, "whatsapp", CHAT, senders=["Sam Doe"], assume_yes=True)
    return target


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_an_import_keeps_its_messages_one_to_a_line_beside_case_yaml(case):
    text = (case / CASE_FILENAME).read_text(encoding="utf-8")
    assert "\nimported_messages: imported-1.jsonl\n" in text
    assert "content_key" not in text and "are you home" not in text  # only typed facts
    stored = case / "imported-1.jsonl"
    assert stored.stat().st_mode & 0o777 == 0o600
    records = [json.loads(line) for line in _lines(stored)]
    assert [list(r) for r in records] == [["incident"]] * 5 + [["context"]] * 1
    assert records[0]["incident"]["exact_words"] == "are you home?"
    loaded = load_case(case)
    assert [i.source.kind for i in loaded.incidents] == ["typed"] + ["imported"] * 5
    assert loaded.incidents[1].exact_words == "are you home?"
    assert loaded.context[0].sender == "Ana Lima"
    assert [p.name for p in case.glob("imported-*")] == ["imported-1.jsonl"]


def test_a_save_rewrites_the_messages_only_when_they_changed_and_keeps_one_file(case):
    before = (case / "imported-1.jsonl").stat()
    loaded = load_case(case)
    loaded.applicant.phone = "07700 900000"
    save_case(loaded, case)
    after = (case / "imported-1.jsonl").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    loaded.incidents[2].kinds = ["threat"]
    save_case(loaded, case)
    assert [p.name for p in case.glob("imported-*")] == ["imported-2.jsonl"]
    assert "imported_messages: imported-2.jsonl" in (case / CASE_FILENAME).read_text("utf-8")
    assert load_case(case) == loaded


def test_a_hand_edit_of_a_message_is_read(case):
    stored = case / "imported-1.jsonl"
    lines = _lines(stored)
    lines[1] = lines[1].replace('"kinds":[]', '"kinds": ["threat"]')
    stored.write_text("\n".join(lines) + "\n\n", encoding="utf-8")  # a blank line is nothing
    assert load_case(case).incidents[2].kinds == ["threat"]


def _edit_second(old: str, new: str):
    return lambda line: line.replace(old, new, 1)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _edit_second('"when":"', '"when":"31/02/2026", "x":"'),
            r"line 2: incident\.x: is not a field harassment-pack knows",
        ),
        (
            lambda line: re.sub(r'"when":"[^"]+"', '"when":"31/02/2026"', line),
            r"line 2: incident\.when: .*31/02/2026",
        ),
        (
            _edit_second('"summary"', '"sumary"'),
            r"line 2: incident\.sumary: is not a field harassment-pack knows \(did you mean "
            r'"summary"\?\)',
        ),
        (lambda line: line[:-1], r"line 2: is not a JSON record \(EOF while parsing"),
        (
            _edit_second('{"incident":{', '{"incident":{"platform":"X",'),
            r'line 2: "platform" '
            r"appears twice in the same record; the second would replace the first",
        ),
        (lambda line: "{}", r'line 2: a line holds one message, either {"incident": {…}}'),
    ],
)
def test_a_mistake_in_the_messages_names_file_line_and_field(case, edit, message):
    stored = case / "imported-1.jsonl"
    lines = _lines(stored)
    lines[1] = edit(lines[1])
    stored.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=re.escape(str(stored)) + " " + message):
        load_case(case)


def test_an_incident_id_used_in_both_files_is_named_in_each(case):
    stored = case / "imported-1.jsonl"
    lines = _lines(stored)
    lines[2] = re.sub(r'"id":"i\d+"', '"id":"i1"', lines[2], count=1)  # the typed incident's id
    stored.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_case(case)
    assert re.fullmatch(
        re.escape(str(stored)) + r" line 3: incidents\[3\]\.id: 'i1' is used by another incident "
        r"too \(.*case\.yaml line \d+\); give each its own id",
        str(caught.value),
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../secret.jsonl", r'line 2: imported_messages: "../../secret.jsonl" is not the name'),
        ("imported-7.jsonl", r"line 2: imported_messages: .*imported-7.jsonl is missing"),
    ],
)
def test_case_yaml_naming_a_wrong_messages_file_is_one_line(case, name, message):
    path = case / CASE_FILENAME
    path.write_text(path.read_text("utf-8").replace("imported-1.jsonl", name), encoding="utf-8")
    with pytest.raises(UserError, match=r"case\.yaml " + message):
        load_case(case)


def _old_format(case: Path) -> None:
    """The case as an older harassment-pack wrote it: every message inside case.yaml (the
    context as one-line flow mappings, as that version wrote them), no JSON Lines file."""
    loaded = load_case(case)
    data = loaded.model_dump(mode="json", exclude_none=True)
    context = data.pop("context")
    text = yaml_text(data) + "context:\n"
    text += "".join(f"- {json.dumps(item, ensure_ascii=False)}\n" for item in context)
    (case / CASE_FILENAME).write_text(text, encoding="utf-8")
    (case / "imported-1.jsonl").unlink()
    (case / PARSED_CACHE).unlink()


def test_an_older_case_loads_and_its_messages_move_out_on_the_next_save_saying_so(case):
    expected = load_case(case)
    _old_format(case)
    old = load_case(case)
    assert old == expected
    said: list[str] = []
    save_case(old, case, notify=said.append)
    assert said == [
        f"{case}: the imported messages were moved from case.yaml to imported-1.jsonl beside it "
        "(one message to a line; case.yaml keeps the facts you type, and a big case now loads "
        "in about a second)."
    ]
    assert "content_key" not in (case / CASE_FILENAME).read_text("utf-8")
    assert load_case(case) == expected
    save_case(expected, case, notify=said.append)
    assert len(said) == 1  # said once


def test_killed_between_the_two_writes_the_case_is_as_before_and_tidied_next_time(
    case, monkeypatch
):
    """The messages' new file is written first; without case.yaml's write (the commit) the
    case is the old one, and the next command that takes the lock removes the new file."""
    before = load_case(case)
    changed = load_case(case)
    changed.incidents[1].kinds = ["threat"]
    real = case_module.write_private

    def killed(path, data):
        if path.name == CASE_FILENAME:
            raise KeyboardInterrupt  # as a kill: nothing after this point runs
        real(path, data)

    monkeypatch.setattr(case_module, "write_private", killed)
    with pytest.raises(KeyboardInterrupt):
        save_case(changed, case)
    monkeypatch.undo()
    assert sorted(p.name for p in case.glob("imported-*")) == [
        "imported-1.jsonl", "imported-2.jsonl"
    ]  # fmt: skip
    assert load_case(case) == before
    said: list[str] = []
    with case_lock(case, "test", notify=said.append):
        pass
    assert [p.name for p in case.glob("imported-*")] == ["imported-1.jsonl"]
    assert said == [
        f"{case}: removed 1 file(s) of imported messages that case.yaml does not name, left by "
        "a command that was stopped while saving; what it had saved is kept."
    ]


def test_the_interview_sees_the_same_case_and_notices_a_hand_edit_of_the_messages(case):
    progress = Progress.load(case)
    assert len(progress.data["incidents"]) == 6
    fingerprint = case_fingerprint(case)
    progress.save()
    assert [p.name for p in case.glob("imported-*")] == ["imported-1.jsonl"]  # unchanged
    assert case_fingerprint(case) == fingerprint
    stored = case / "imported-1.jsonl"
    stored.write_text(stored.read_text("utf-8").replace('"kinds":[]', '"kinds":["threat"]', 1),
                      encoding="utf-8")  # fmt: skip
    assert case_fingerprint(case) != fingerprint
    assert Progress.load(case).data["incidents"][1]["kinds"] == ["threat"]


def test_the_documents_show_the_messages_as_the_file_has_them(case, tmp_path):
    """A build reads the messages' file like every command: a hand edit there is in the pack."""
    stored = case / "imported-1.jsonl"
    lines = _lines(stored)
    lines[0] = lines[0].replace('"exact_words":"are you home?"', '"exact_words":"Edited by hand"')
    lines[0] = lines[0].replace('"kinds":[]', '"kinds":["threat"]')
    stored.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = build_case(case, tmp_path / "out", only=["chronology"], today=TODAY)
    text = docx_text(result.out_dir / "chronology.docx")
    assert "Edited by hand" in text and "are you home?" not in text
    assert "never" in text  # the last imported message
