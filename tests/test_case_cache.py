"""The parsed-case cache: a big case loads fast, and case.yaml stays the one source of truth."""

from __future__ import annotations

import json

import pytest

from harassment_pack.case import (
    CASE_FILENAME,
    PARSED_CACHE,
    ContextMessage,
    Source,
    load_case,
    read_yaml_with_lines,
    save_case,
)
from harassment_pack.errors import UserError

from .conftest import SAMPLES, copy_sample


@pytest.fixture()
def case_dir(tmp_path):
    target = tmp_path / "case"
    copy_sample(SAMPLES / "jane-smith", target)
    return target


def test_the_cache_holds_exactly_what_the_yaml_reads_back_as(case_dir):
    case = load_case(case_dir)
    save_case(case, case_dir)
    cache = case_dir / PARSED_CACHE
    assert cache.stat().st_mode & 0o777 == 0o600
    text = (case_dir / CASE_FILENAME).read_text(encoding="utf-8")
    assert (
        json.loads(cache.read_text(encoding="utf-8"))["data"] == read_yaml_with_lines(text, "x")[0]
    )
    assert load_case(case_dir) == case


def test_a_hand_edit_is_read_from_the_yaml_and_the_cache_renewed(case_dir):
    load_case(case_dir)  # writes the cache
    before = (case_dir / PARSED_CACHE).read_text(encoding="utf-8")
    path = case_dir / CASE_FILENAME
    path.write_text(
        path.read_text(encoding="utf-8").replace("Jane Smith", "Jane Smyth", 1), "utf-8"
    )
    assert load_case(case_dir).applicant.full_name == "Jane Smyth"
    assert (case_dir / PARSED_CACHE).read_text(encoding="utf-8") != before


def test_a_mistake_after_a_cached_load_still_names_file_line_and_field(case_dir):
    load_case(case_dir)
    path = case_dir / CASE_FILENAME
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines) if line.strip().startswith("when:"))
    lines[number] = lines[number].split(":")[0] + ": 31/02/2026"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=rf"case.yaml line {number + 1}: incidents\[0\]\.when"):
        load_case(case_dir)


def test_a_cache_the_model_no_longer_accepts_gives_way_to_the_yaml(case_dir):
    load_case(case_dir)
    cache = case_dir / PARSED_CACHE
    stored = json.loads(cache.read_text(encoding="utf-8"))
    stored["data"]["applicant"]["no_such_field"] = 1
    cache.write_text(json.dumps(stored), encoding="utf-8")
    assert load_case(case_dir).applicant.full_name == "Jane Smith"


NASTY = [
    "plain words",
    'quotes " and \\ backslash, tab\tand\nnew line',
    "emoji \U0001f600 and accents é ñ",
    "line\u2028separator, paragraph\u2029separator, next line\x85here",
    "delete\x7fcontrol\x9f and byte order\ufeffmark",
    "yes",
    "2026-01-01",
    "# not a comment: {not: a mapping}, [not a list]",
]


def test_imported_messages_are_one_line_each_in_their_own_file_and_read_back_exactly(case_dir):
    case = load_case(case_dir)
    incident = case.incidents[0]
    for number, text in enumerate(NASTY):
        source = Source(kind="imported", file="evidence/chat.txt", record=f"line {number}",
                        content_key=f"k{number}")  # fmt: skip
        case.incidents.append(incident.model_copy(update={"id": f"m{number}", "exact_words": text,
                                                          "source": source}))  # fmt: skip
        case.context.append(ContextMessage(when=incident.when, platform="WhatsApp",
                                           sender=text, text=text, source=source))  # fmt: skip
    save_case(case, case_dir)
    text = (case_dir / CASE_FILENAME).read_text(encoding="utf-8")
    assert "imported_messages: imported-1.jsonl\n" in text
    assert "content_key" not in text and "NASTY" not in text
    typed = [i for i in case.incidents if i.source.content_key is None]
    assert typed and all(f"\n- id: {i.id}\n" in text for i in typed)  # still block style
    lines = (case_dir / "imported-1.jsonl").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) - 1 == 2 * len(NASTY)  # one line each, none broken
    assert [json.loads(line)["incident"]["exact_words"] for line in lines[: len(NASTY)]] == NASTY
    assert (case_dir / "imported-1.jsonl").stat().st_mode & 0o777 == 0o600
    assert read_yaml_with_lines(text, "x")[0] == json.loads((case_dir / PARSED_CACHE).read_text(
        encoding="utf-8"))["data"]  # fmt: skip
    (case_dir / PARSED_CACHE).unlink()
    again = load_case(case_dir)
    assert again == case
    assert [i.exact_words for i in again.incidents[-len(NASTY) :]] == NASTY


def test_a_case_folder_given_as_text_loads_as_a_path_does(case_dir):
    """Library callers (a script, the web app) may name the folder with a plain string."""
    assert load_case(str(case_dir)) == load_case(case_dir)
