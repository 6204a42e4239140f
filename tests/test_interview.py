"""Questionnaires, answer types, saved progress and ``--answers``, without a terminal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from harassment_pack.build import build_case
from harassment_pack.case import load_case
from harassment_pack.cli import main
from harassment_pack.errors import UserError
from harassment_pack.interview import PROGRESS_FILENAME, load_questionnaires, run_interview
from harassment_pack.interview.questions import (
    DEFAULT_QUESTIONNAIRES,
    AnswerError,
    Choice,
    Question,
    load_section,
    parse_answer,
)
from harassment_pack.interview.session import Session
from harassment_pack.law import iter_scannable_text, load_law, wrong_law_hits

from .conftest import SAMPLES, TODAY, copy_sample, docx_text

SCREENSHOT = SAMPLES / "jane-smith" / "evidence" / "2026-07-03-whatsapp-threat.png"


def _ask(kind: str, raw, *, required: bool = False, past: bool = False, choices=None, **extra):
    question = Question(id="x", type=kind, prompt="?", past=past, choices=choices, **extra)
    question.required = required
    return parse_answer(question, raw, today=TODAY, choices=choices)


CHOICES = [Choice(value="england_wales", label="England or Wales"),
           Choice(value="scotland", label="Scotland")]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "raw", "expected", "options"),
    [
        ("text", "  Sam Taylor ", "Sam Taylor", {}),
        ("long_text", "line one\r\nline two\n", "line one\nline two", {}),
        ("list", "Loss of sleep\n\nAnxiety", ["Loss of sleep", "Anxiety"], {}),
        ("date", "03/09/2026", "2026-09-03", {}),
        ("date", "3 Sept 2026", "2026-09-03", {"past": True}),
        ("time", "9:14 pm", "21:14", {}),
        ("time", "10pm", "22:00", {}),
        ("time", "22:14", "22:14", {}),
        ("date", "14/3/26", "2026-03-14", {}),
        ("date", "14 March 2026", "2026-03-14", {}),
        ("date", "yesterday", "2026-11-23", {"past": True}),
        ("datetime", "yesterday 10pm", "2026-11-23T22:00:00+00:00", {"past": True}),
        ("datetime", "14/3/26 22:14", "2026-03-14T22:14:00+00:00", {"past": True}),
        ("datetime", "today", "2026-11-24", {"past": True}),
        # Rough dates keep their precision: a month, or a part of one.
        ("datetime", "March 2026", "2026-03", {"past": True}),
        ("datetime", "early June 2026", "2026-06-early", {"past": True}),
        ("datetime", "mid-Oct 2026", "2026-10-mid", {"past": True}),
        ("datetime", "end of November 2026", "2026-11-late", {"past": True}),
        ("datetime", "03/09/2026 21:14", "2026-09-03T21:14:00+01:00", {"past": True}),
        ("datetime", "03/12/2025 21:14", "2025-12-03T21:14:00+00:00", {}),
        ("datetime", "24/11/2026", "2026-11-24", {"past": True}),
        # 25 November in Moscow, but still 24 November (today) in the UK: not in the future.
        ("datetime", "2026-11-25T01:00:00+03:00", "2026-11-25T01:00:00+03:00", {"past": True}),
        ("choice", "Scotland", "scotland", {"choices": CHOICES}),
        ("choice", "england_wales", "england_wales", {"choices": CHOICES}),
        ("multi_choice", ["scotland", "England or Wales"], ["scotland", "england_wales"],
         {"choices": CHOICES}),
        ("yes_no", "yes", True, {}),
        ("yes_no", False, False, {}),
        ("email", "sam@example.com", "sam@example.com", {}),
        ("uk_phone", "07700 900481", "07700 900481", {}),
        ("uk_phone", "+44 (0)7700-900481", "+44 (0)7700-900481", {}),
        ("uk_phone", "020 7946 0000", "020 7946 0000", {}),
        ("uk_phone", "016977 3456", "016977 3456", {}),  # a 10-digit geographic number
        ("uk_phone", "0800 123 456", "0800 123 456", {}),  # 10-digit freephone
        ("uk_postcode", "rg2 8qj", "RG2 8QJ", {}),
        ("uk_postcode", "SW1A1AA", "SW1A 1AA", {}),
        ("url", "https://x.com/name/status/1", "https://x.com/name/status/1", {}),
        ("url", "instagram.com/quiet", "https://instagram.com/quiet", {}),
        ("police_force", "thames valley", "Thames Valley Police", {}),
        ("text", "", None, {}),
    ],
)  # fmt: skip
def test_valid_answers_are_stored_in_case_file_form(kind, raw, expected, options) -> None:
    assert _ask(kind, raw, **options) == expected


@pytest.mark.parametrize(
    ("kind", "raw", "reason", "options"),
    [
        ("text", "  ", "needed for your documents", {"required": True}),
        ("long_text", "", "needed for your documents", {"required": True}),
        ("date", "31/02/2026", "not a real date", {}),
        ("date", "03/09/2026x", "not a date I can read", {}),
        ("date", "March 2026", "not a date I can read", {}),  # exact dates only (reports)
        ("datetime", "10pm", "give the day too", {}),
        ("datetime", "Smarch 2026", "not a date I can read", {}),
        ("datetime", "December 2026", "in the future", {"past": True}),
        ("time", "22", "not a time I can read", {}),
        ("date", "25/11/2026", "in the future", {"past": True}),
        ("time", "25:00", "not a real time", {}),
        ("datetime", "30/02/2026 10:00", "not a real date", {}),
        ("datetime", "01/01/2030 10:00", "in the future", {"past": True}),
        # Still 24 November in Brazil, but already 25 November in the UK.
        ("datetime", "2026-11-24T23:30:00-02:00", "in the future", {"past": True}),
        ("choice", "Wales only", "not one of the choices", {"choices": CHOICES}),
        ("multi_choice", ["mars"], "not one of the choices", {"choices": CHOICES}),
        ("multi_choice", [], "needed for your documents",
         {"choices": CHOICES, "required": True}),
        ("yes_no", "maybe", "not yes or no", {}),
        ("email", "sam.example.com", "does not look like an email", {}),
        ("uk_phone", "12345", "should start with 0 or \\+44", {}),
        ("uk_phone", "07700", "has 5 digits", {}),
        ("uk_phone", "0770090048", "has 10 digits", {}),  # a mobile has 11
        ("uk_phone", "077009004811", "has 12 digits", {}),
        ("uk_phone", "+44 7700 90048", "has 10 digits", {}),
        ("uk_phone", "0020 7946 0000", "not a UK phone number", {}),
        ("uk_phone", "020 7946 000", "has 10 digits", {}),  # London numbers have 11
        ("uk_phone", "call me", "not a phone number", {}),
        ("uk_postcode", "ZZ", "not a UK postcode", {}),
        ("url", "not a link", "not a web address", {}),
        ("url", "ftp://example.com/x", "not a web address", {}),
        ("police_force", "Gotham", "not a UK police force", {}),
        ("police_force", "police", "matches several forces", {}),
        ("file", "/no/such/file.png", "no such file", {}),
    ],
)  # fmt: skip
def test_invalid_answers_give_a_one_line_reason(kind, raw, reason, options) -> None:
    with pytest.raises(AnswerError, match=reason) as caught:
        _ask(kind, raw, **options)
    assert "\n" not in str(caught.value)


def test_file_answer_must_be_an_existing_file(tmp_path: Path) -> None:
    assert _ask("file", [str(SCREENSHOT)]) == [SCREENSHOT]
    assert _ask("file", f"'{SCREENSHOT}'") == [SCREENSHOT]  # dragged into a terminal
    with pytest.raises(AnswerError, match="is a folder"):
        _ask("file", str(tmp_path))


# --------------------------------------------------------------------------- questionnaires


def test_shipped_questionnaires_cover_every_section_of_the_interview() -> None:
    sections = load_questionnaires()
    assert [s.section for s in sections] == [
        "safety", "about_you", "people", "incidents", "platform_reports", "police_reports",
        "police_complaint", "ofcom", "injunction", "impact", "witnesses",
    ]  # fmt: skip
    first = sections[0]
    assert first.always_show_intro and "law.helplines.police_emergency.tel" in first.intro
    assert sections[0].questions[0].id == "jurisdiction"
    required = {q.id for s in sections for q in s.questions if q.required}
    assert required == {"applicant.full_name"}


def test_questionnaires_hold_no_out_of_date_law() -> None:
    law = load_law()
    for path in sorted(DEFAULT_QUESTIONNAIRES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for where, text in iter_scannable_text(data):
            assert not wrong_law_hits(law, text), f"{path.name} {where}: {text}"


def test_course_of_conduct_is_explained_from_the_law_data() -> None:
    incidents = next(s for s in load_questionnaires() if s.section == "incidents")
    assert "law.wording.course_of_conduct.text" in incidents.questions[0].help


@pytest.mark.parametrize(
    ("question", "message", "line"),
    [
        ("  - id: applicant.nickname\n    type: text\n    prompt: Hi?\n",
         "question 'applicant.nickname': id 'applicant.nickname': 'nickname' is not a field", 5),
        ("  - id: applicant.full_name\n    type: essay\n    prompt: Hi?\n",
         "question 'applicant.full_name' (questions.type)", 6),
        ("  - id: applicant.full_name\n    type: text\n    prompt: Hi?\n    when: 'a ==='\n",
         "'when' condition 'a ===' is not valid", 8),
        ("  - id: applicant.full_name\n    type: text\n    prompt: '{{ law.nope.tel }}'\n",
         "law.nope.tel is not in the legal data", 7),
        ("  - id: jurisdiction\n    type: choice\n    prompt: Where?\n    choices:\n"
         "      - {value: wales, label: Wales}\n", "choice 'wales' is not allowed here", 9),
        ("  - id: incidents\n    type: group\n    add_another: More?\n    questions:\n"
         "      - {id: colour, type: text, prompt: 'Colour?'}\n",
         "in group 'incidents', question 'colour'", 9),
        ("  - id: applicant.full_name\n    type: multi_choice\n    prompt: Hi?\n",
         "needs 'choices' or 'choices_from'", 5),
    ],
)  # fmt: skip
def test_a_broken_questionnaire_names_the_file_the_line_and_the_question(
    tmp_path: Path, question: str, message: str, line: int
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(f"section: x\ntitle: X\norder: 1\nquestions:\n{question}", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_section(path)
    text = str(caught.value)
    assert text.startswith(f"{path} line {line}: ") and message in text and "\n" not in text


def test_two_files_with_the_same_section_name_are_refused(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(
            "section: same\ntitle: T\norder: 1\nquestions:\n"
            "  - {id: applicant.full_name, type: text, prompt: 'Name?'}\n",
            encoding="utf-8",
        )
    with pytest.raises(UserError, match="already used by"):
        load_questionnaires(tmp_path)


# --------------------------------------------------------------------------- --answers

ANSWERS = f"""\
jurisdiction: england_wales
applicant:
  full_name: Sam Taylor
  keep_address_confidential: yes
  postcode: rg2 8qj
respondents:
  - name: Unknown
    accounts:
      - platform: Instagram
        handle: "@quiet_observer_4417"
incidents:
  - when: 14/09/2026 20:05
    platform: Instagram
    respondent: r1
    kinds: [abuse, threat]
    summary: An account I do not recognise sent me a direct message & a <threat>.
    exact_words: |
      Nobody wants you here.
      I know where you live.
    evidence: {SCREENSHOT}
  - when: 3 Oct 2026
    platform: Instagram
    respondent: r1
    kinds: [contact]
    summary: It messaged me again.
platform_reports:
  - platform: Instagram
    date: 15/09/2026
    incidents: [i1]
police_reports:
  - force: thames valley
    date: 16/09/2026
psd_complaint.wanted: yes
psd_complaint.concerns: [Nobody called me back.]
injunction.sought: no
impact.statement: I am frightened to go out.
"""


def test_answers_file_round_trip_to_a_built_pack(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    case_dir = tmp_path / "case"
    assert main(["new", str(case_dir), "--answers", str(answers)]) == 0

    case = load_case(case_dir)
    assert case.applicant.postcode == "RG2 8QJ"
    assert [i.id for i in case.incidents] == ["i1", "i2"]
    assert case.incidents[0].when.isoformat() == "2026-09-14T20:05:00+01:00"
    assert case.incidents[0].evidence == [case.evidence[0].id]
    assert (
        case.evidence[0].sha256 == __import__("hashlib").sha256(SCREENSHOT.read_bytes()).hexdigest()
    )
    assert case.police_reports[0].force == "Thames Valley Police"
    assert case.psd_complaint.wanted and case.injunction.sought is False

    result = build_case(
        case_dir, tmp_path / "out", only=["chronology", "witness_statement"], today=TODAY
    )
    statement = docx_text(result.out_dir / "witness_statement.docx")
    chronology = docx_text(result.out_dir / "chronology.docx")
    assert "Sam Taylor" in statement
    assert "a direct message & a <threat>." in chronology
    assert "I know where you live." in chronology and "ST/1" in chronology
    assert result.pack is not None and result.pack.path.is_file()


def test_a_wrong_answer_leaves_the_case_untouched(tmp_path: Path, capsys) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS.replace("3 Oct 2026", "31/02/2026"), encoding="utf-8")
    case_dir = tmp_path / "case"
    assert main(["new", str(case_dir), "--answers", str(answers)]) == 2
    error = capsys.readouterr().err.strip()
    line = ANSWERS.splitlines().index("  - when: 3 Oct 2026") + 1
    assert error.startswith(f"harassment-pack: {answers} line {line}: incidents[1].when:")
    assert "not a real date" in error and "\n" not in error
    assert not (case_dir / "case.yaml").exists()
    assert not (case_dir / PROGRESS_FILENAME).exists()
    assert not list((case_dir / "evidence").glob("*"))  # the screenshot copy was removed
    # Fixed, the same command now works in the same folder.
    answers.write_text(ANSWERS, encoding="utf-8")
    assert main(["new", str(case_dir), "--answers", str(answers)]) == 0


def test_unknown_question_and_question_that_does_not_apply(tmp_path: Path, capsys) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("applicant:\n  full_nme: Sam\n", encoding="utf-8")
    assert main(["new", str(tmp_path / "c1"), "--answers", str(answers)]) == 2
    assert 'did you mean "applicant.full_name"?' in capsys.readouterr().err
    answers.write_text(
        "applicant.full_name: Sam\ninjunction.sought: no\ninjunction.court: Reading\n",
        encoding="utf-8",
    )
    assert main(["new", str(tmp_path / "c2"), "--answers", str(answers)]) == 2
    assert "injunction.court: this question does not apply" in capsys.readouterr().err


def test_incomplete_answers_are_kept_and_the_error_says_what_is_missing(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("applicant.occupation: Nurse\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"applicant.full_name is not answered yet") as error:
        run_interview(tmp_path / "case", new=True, answers=answers, say=lambda _m: None)
    assert "only the missing answers in a new file" in str(error.value)
    assert not (tmp_path / "case" / "case.yaml").exists()
    missing = tmp_path / "missing.yaml"  # as the error says: a new file with only what is missing
    missing.write_text("applicant.full_name: Sam Taylor\n", encoding="utf-8")
    run_interview(tmp_path / "case", answers=missing, say=lambda _m: None)
    applicant = load_case(tmp_path / "case").applicant
    assert (applicant.full_name, applicant.occupation) == ("Sam Taylor", "Nurse")


def test_scotland_gets_the_differences_and_only_the_documents_that_apply(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text(
        "jurisdiction: scotland\napplicant.full_name: Sam Taylor\nincidents:\n"
        "  - {when: 01/10/2026, platform: X, summary: A post about me.}\n",
        encoding="utf-8",
    )
    said: list[str] = []
    run_interview(tmp_path / "case", new=True, answers=answers, say=said.append)
    law = load_law()
    assert law["jurisdictions"]["scotland"]["differences"][0] in said[0]
    assert load_case(tmp_path / "case").jurisdiction == "scotland"
    result = build_case(
        tmp_path / "case",
        tmp_path / "out",
        only=["chronology", "witness_statement"],
        today=TODAY,
    )
    assert [d.name for d in result.documents] == ["chronology"]


def test_new_refuses_a_folder_that_already_holds_a_case(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    copy_sample(SAMPLES / "minimal", case_dir)
    with pytest.raises(UserError, match="already holds a case"):
        run_interview(case_dir, new=True, answers=tmp_path / "none.yaml")


# --------------------------------------------------------------------------- progress


def test_progress_wins_unless_the_case_file_was_edited_since(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    case_dir.mkdir()
    session = Session(case_dir, load_questionnaires(), today=date(2026, 11, 24))
    session.answer(("applicant", "full_name"), "Sam Taylor")
    group = next(q for s in session.sections for q in s.questions if q.id == "incidents")
    index = session.new_item(group, ("incidents",))
    session.answer(("incidents", index, "platform"), "X")  # incident incomplete: progress only
    again = Session(case_dir, session.sections)
    assert again.data["incidents"] == [{"id": "i1", "platform": "X"}]
    assert again.is_answered(("incidents", 0, "platform"))
    assert not again.is_answered(("incidents", 0, "summary"))
    # A solicitor edits case.yaml by hand: the case file is now the truth.
    path = case_dir / "case.yaml"
    path.write_text(path.read_text().replace("Sam Taylor", "Samantha Taylor"))
    edited = Session(case_dir, session.sections)
    assert edited.data["applicant"]["full_name"] == "Samantha Taylor"
    assert not edited.data.get("incidents")  # the unfinished incident was only in progress
    assert edited.is_answered(("incidents", 0, "platform"))  # asked questions are remembered


def test_removing_an_item_keeps_the_answers_of_the_others_in_step(tmp_path: Path) -> None:
    session = Session(tmp_path, load_questionnaires())
    session.answer(("applicant", "full_name"), "Sam Taylor")
    group = next(q for s in session.sections for q in s.questions if q.id == "respondents")
    for name in ("A", "B", "C"):
        index = session.new_item(group, ("respondents",))
        session.answer(("respondents", index, "name"), name)
    session.mark(("respondents", 2, "description"))
    session.remove_item(("respondents",), 0)
    assert [r["name"] for r in session.data["respondents"]] == ["B", "C"]
    assert "respondents[1].description" in session.progress.asked
    assert "respondents[2].name" not in session.progress.asked
    assert [r.name for r in load_case(tmp_path).respondents] == ["B", "C"]


def test_a_file_is_registered_with_the_answers_or_not_at_all(tmp_path: Path) -> None:
    session = Session(tmp_path, load_questionnaires())
    session.answer(("applicant", "full_name"), "Sam Taylor")
    group = next(q for s in session.sections for q in s.questions if q.id == "incidents")
    index = session.new_item(group, ("incidents",))
    for field, value in (("when", "2026-09-14"), ("platform", "X"), ("summary", "A post.")):
        session.answer(("incidents", index, field), value)
    target = ("incidents", index, "evidence")
    progress = tmp_path / PROGRESS_FILENAME
    # The progress file cannot be written: the copy is removed and the answers are as before.
    progress.unlink()
    progress.mkdir()
    with pytest.raises(OSError):
        session.register_files([SCREENSHOT], target, ["Threat"])
    assert not list((tmp_path / "evidence").iterdir())
    assert "evidence" not in session.data["incidents"][index]
    assert not session.data.get("evidence") and not load_case(tmp_path).evidence
    # The progress file is written but case.yaml is not: the progress file names the copy,
    # so the copy stays and the next run finds both.
    progress.rmdir()
    case_file = tmp_path / "case.yaml"
    case_file.unlink()
    case_file.mkdir()
    with pytest.raises(OSError):
        session.register_files([SCREENSHOT], target, ["Threat"])
    case_file.rmdir()
    again = Session(tmp_path, session.sections)
    [exhibit] = again.data["evidence"]
    assert again.data["incidents"][index]["evidence"] == [exhibit["id"]]
    assert (tmp_path / exhibit["file"]).read_bytes() == SCREENSHOT.read_bytes()
    again.progress.save()
    assert load_case(tmp_path).evidence[0].description == "Threat"


def test_the_review_says_what_is_still_needed_in_words_never_field_paths(tmp_path: Path) -> None:
    session = Session(tmp_path, load_questionnaires(), today=TODAY)
    session.data.update(
        {
            "applicant": {},
            "incidents": [{"id": "i1", "when": "2026-09-01", "platform": "X"}],
            "police_reports": [{"id": "pol1", "date": "2026-09-02"}],
        }
    )
    needed = session.still_needed()
    assert needed == [
        "Your full name",
        "Incident C1: What happened, in your own words",
        "Report to the police 1: Which police force you reported to",
    ]
    assert not any(("[" in line or "_" in line) for line in needed)


def test_every_needed_question_says_in_words_what_it_is_for_the_review() -> None:
    def needed(questions):
        for question in questions:
            yield from needed(question.questions)
            if question.required and question.type != "group":
                yield question

    unnamed = [q.id for s in load_questionnaires() for q in needed(s.questions) if not q.review]
    assert unnamed == []
