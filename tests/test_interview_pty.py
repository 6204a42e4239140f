"""The real interview in a pseudo-terminal: typed answers, kill -9, resume, Ctrl-C, new questions.

Each test drives ``harassment-pack`` exactly as a person would, with keys, and then reads the
files it left behind.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import typing
from datetime import date, timedelta
from pathlib import Path

import pexpect
import yaml
from pypdf import PdfReader

from harassment_pack.case import load_case
from harassment_pack.dates import ApproxDate
from harassment_pack.interview import PROGRESS_FILENAME, load_questionnaires
from harassment_pack.interview.questions import QuestionType

from .conftest import SAMPLES, copy_sample, docx_text

EXE = str(Path(sys.executable).with_name("harassment-pack"))
RUN = os.path.relpath(EXE) if EXE.startswith(os.getcwd() + os.sep) else EXE
"""How the Ctrl-C message should name the program: as it was run (it is not on the PATH)."""
DOWN, UP, ENTER, SPACE = "\x1b[B", "\x1b[A", "\r", " "
SCREENSHOT = SAMPLES / "jane-smith" / "evidence" / "2026-07-03-whatsapp-threat.png"


class Terminal:
    """One harassment-pack process in a pseudo-terminal, answered prompt by prompt."""

    def __init__(self, *args: str, **environment: str) -> None:
        env = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", PATH="/usr/bin:/bin")
        env.pop("EDITOR", None)
        env.pop("VISUAL", None)
        env.update(environment)
        self.child = pexpect.spawn(
            EXE, list(args), env=env, dimensions=(50, 250), encoding="utf-8", timeout=10
        )

    def expect(self, pattern: str) -> None:
        self.child.expect(pattern)

    def type(self, prompt: str, text: str) -> None:
        """Wait for a prompt, then type a line (or several, for long answers) and Enter."""
        self.child.expect(prompt)
        for line in text.split("\n"):
            self.child.send(line + ENTER)

    def pick(self, prompt: str, keys: str = "") -> None:
        """Wait for a list prompt, move with the arrow keys or tick with space, press Enter."""
        self.child.expect(prompt)
        self.child.send(keys + ENTER)

    def finish(self) -> int:
        self.child.expect(pexpect.EOF, timeout=60)  # after a build, on a busy machine
        self.child.close()
        return self.child.exitstatus


def _tree(folder: Path) -> None:
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "case.yaml").stat().st_mode & 0o777 == 0o600


ANSWERS_BEFORE_INCIDENTS = {
    "jurisdiction": "england_wales",
    "applicant": {
        "full_name": "Sam Taylor",
        "occupation": "",
        "keep_address_confidential": True,
        "address": "",
        "postcode": "",
        "email": "",
        "phone": "",
        "safe_contact": "",
        "voicemail_safe": False,
        "private_details": [],
    },
    "representative": {"acting": False},
    "respondents": [
        {"name": "Unknown", "association": "stranger", "description": "", "accounts": []}
    ],
}


def test_kill_9_loses_nothing_answered_and_resumes_at_the_next_question(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(ANSWERS_BEFORE_INCIDENTS), encoding="utf-8")
    case_dir = tmp_path / "case"
    Terminal("new", str(case_dir), "--answers", str(answers)).finish()

    t = Terminal("interview", str(case_dir))
    t.type("When did it happen", "14/09/2026 20:05")
    t.type("Where did it happen", "WhatsApp")
    t.expect("Who did it")  # the platform answer is saved before this prompt appears
    os.kill(t.child.pid, signal.SIGKILL)
    t.child.expect(pexpect.EOF)

    # The incident is not complete, so case.yaml does not have it yet; the progress file does.
    assert load_case(case_dir).incidents == []
    progress = yaml.safe_load((case_dir / PROGRESS_FILENAME).read_text(encoding="utf-8"))
    assert progress["data"]["incidents"][0]["platform"] == "WhatsApp"
    assert (case_dir / PROGRESS_FILENAME).stat().st_mode & 0o777 == 0o600

    t = Terminal("interview", str(case_dir))
    t.expect("call 999")  # the safety screen is shown on every start
    t.expect(
        "Carrying on where you stopped: Incident C1 of 1 — 14 September 2026, 20:05 "
        r"\(BST\), WhatsApp: Who did it\?"
    )
    index = t.child.expect(["Who did it", "When did it happen", "full name", "Which part"])
    assert index == 0, "the interview did not resume at the first unanswered question"
    t.child.send(ENTER)
    t.pick("What kind of thing", DOWN + SPACE)
    t.type("What happened", "He said he would kill me.")  # a line typed, the story not finished
    t.child.send("\x03")  # Ctrl-C in the middle of the story
    t.expect("Everything you answered is saved")
    t.expect(re.escape(f"run:\r\n  {RUN} interview {case_dir}"))
    assert t.finish() == 130

    case = load_case(case_dir)
    assert case.applicant.full_name == "Sam Taylor"
    (incident,) = case.incidents  # the line typed is kept, so the incident is complete
    assert incident.when.isoformat() == "2026-09-14T20:05:00+01:00"
    assert incident.respondent == "r1" and incident.kinds == ["threat_to_kill"]
    assert incident.summary == "He said he would kill me."
    progress = yaml.safe_load((case_dir / PROGRESS_FILENAME).read_text(encoding="utf-8"))
    assert progress["unfinished"] == ["incidents[0].summary"]  # so it is asked again

    t = Terminal("interview", str(case_dir))
    t.expect("You had started this answer")
    t.type("What happened", "\nHe knows where I live.\n")  # carry on after the kept line
    t.pick("write them now", DOWN)  # skip the exact words
    t.type("link to it", "")
    t.expect("screenshot or other file")
    t.child.send("\x03")
    assert t.finish() == 130
    (incident,) = load_case(case_dir).incidents  # complete now, so in case.yaml
    assert incident.summary == "He said he would kill me.\nHe knows where I live."
    assert incident.exact_words is None and incident.platform == "WhatsApp"


EXTRA_QUESTIONNAIRE = """\
section: extra
title: One more thing
order: 1
questions:
  - id: statement_prepared
    type: long_text
    prompt: Who helped you prepare your statement?
  - id: applicant.safe_contact
    type: time
    prompt: From what time of day is it safe to call you?
"""
"""A firm's own questionnaire: a long answer, and the one type the shipped ones do not use."""


def test_a_firms_question_is_asked_and_a_long_answer_changed_in_place_and_in_editor(
    tmp_path: Path,
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("applicant.full_name: Sam Taylor\n", encoding="utf-8")
    case_dir = tmp_path / "case"
    Terminal("new", str(case_dir), "--answers", str(answers)).finish()
    extra = tmp_path / "questionnaires"
    extra.mkdir()
    (extra / "extra.yaml").write_text(EXTRA_QUESTIONNAIRE, encoding="utf-8")
    t = Terminal("interview", str(case_dir), "--questionnaires", str(extra))
    # Pasted by a terminal without bracketed paste: the lines arrive at once, blank line and
    # all, and stay in this answer; the person's own Enter on an empty line finishes it.
    t.expect("Who helped you prepare")
    t.child.send("My sister typed it\r\rwhile I spoke.\r")
    t.expect("while I spoke")
    t.child.send(ENTER)
    t.type("time of day", "6.30pm")
    t.pick("What would you like to do now", UP)
    assert t.finish() == 0
    case = load_case(case_dir)
    assert case.statement_prepared == "My sister typed it\n\nwhile I spoke."
    assert case.applicant.safe_contact == "18:30"
    assert case.applicant.full_name == "Sam Taylor"

    # Changed in place: the words are there to add to.
    t = Terminal("interview", str(case_dir), "--questionnaires", str(extra), "--section", "extra")
    t.expect("You wrote")
    t.pick("What would you like to do", DOWN)  # Change it here
    t.type("Who helped you prepare", " Then I read it through.\n")
    t.type("time of day", "")  # Enter keeps 18:30
    t.pick("What would you like to do now", UP)
    assert t.finish() == 0
    assert load_case(case_dir).statement_prepared == (
        "My sister typed it\n\nwhile I spoke. Then I read it through."
    )
    # Changed in the person's own editor ($EDITOR; here a script that edits the file).
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/sister/brother/' \"$1\"\n", encoding="utf-8")
    editor.chmod(0o700)
    t = Terminal(
        "interview", str(case_dir), "--questionnaires", str(extra), "--section", "extra",
        EDITOR=str(editor),
    )  # fmt: skip
    t.pick("What would you like to do", DOWN * 2)  # Change it in your editor (editor.sh)
    t.type("time of day", "")
    t.pick("What would you like to do now", UP)
    assert t.finish() == 0
    assert load_case(case_dir).statement_prepared == (
        "My brother typed it\n\nwhile I spoke. Then I read it through."
    )
    assert not list(case_dir.glob(".answer-being-edited*"))  # the draft is removed


def test_no_question_type_is_left_out_of_the_terminal_tests() -> None:
    """Every type the engine knows is asked by a terminal test above.

    The walk from ``new`` asks every question of the shipped questionnaires (it checks that);
    the firm's questionnaire test asks the rest. A new type fails here until a test asks it.
    """

    def types(questions) -> set[str]:
        return {q.type for q in questions} | {
            t for q in questions if q.type == "group" for t in types(q.questions)}  # fmt: skip

    shipped = types([q for section in load_questionnaires() for q in section.questions])
    firm = set(re.findall(r"type: (\w+)", EXTRA_QUESTIONNAIRE))
    assert shipped | firm == set(typing.get_args(QuestionType))


def test_no_terminal_and_no_answers_stops_with_a_pointer_to_answers(tmp_path: Path) -> None:
    result = subprocess.run(
        [EXE, "new", str(tmp_path / "c")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "--answers FILE" in lines[0]
    assert not (tmp_path / "c").exists()


def test_revisit_a_section_typing_replaces_a_shown_answer(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        yaml.safe_dump(
            {
                **ANSWERS_BEFORE_INCIDENTS,
                "incidents": [
                    {"when": "01/10/2026", "platform": "X", "summary": "A post about me."},
                    {"when": "02/10/2026", "platform": "X", "summary": "Another post."},
                ],
            }
        ),
        encoding="utf-8",
    )
    case_dir = tmp_path / "case"
    Terminal("new", str(case_dir), "--answers", str(answers)).finish()

    t = Terminal("interview", str(case_dir), "--section", "incidents")
    t.pick("C1: 1 October 2026, X: A post about me.", DOWN * 2)  # remove it
    t.pick(
        "C1: 2 October 2026, X: Another post.", DOWN
    )  # change it (now C1, as the chronology will number it)
    t.type("When did it happen", "")  # Enter keeps the date shown
    t.type("Where did it happen", "Instagram")  # typing replaces "X" (no "XInstagram")
    t.pick("Who did it")
    t.pick("What kind of thing", SPACE)
    t.pick("What happened", "")  # keep the summary as it is
    t.expect("can be upsetting")
    t.pick("write them now", DOWN)
    t.type("link to it", "")
    t.type("screenshot or other file", "")
    t.type("affect you", "")
    t.pick("add another incident")
    t.expect("incidents: 1")
    t.pick("What would you like to do now", UP)  # stop (the walk above builds from here)
    assert t.finish() == 0

    (incident,) = load_case(case_dir).incidents
    assert (incident.id, incident.platform, incident.summary) == (
        "i2",
        "Instagram",
        "Another post.",
    )
    assert incident.when.isoformat() == "2026-10-02" and incident.kinds == ["threat"]


def test_police_report_and_complaint_ask_the_force_with_suggestions(tmp_path: Path) -> None:
    """The police branches: the force is typed in part, suggested, and kept on resume."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        yaml.safe_dump(
            {
                **ANSWERS_BEFORE_INCIDENTS,
                "incidents": [
                    {
                        "when": "01/10/2026",
                        "platform": "X",
                        "respondent": "r1",
                        "kinds": ["contact"],
                        "summary": "A post.",
                        **dict.fromkeys(("exact_words", "url", "impact"), ""),
                        "evidence": [],
                    }
                ],
                "platform_reports": [],
            }
        ),
        encoding="utf-8",
    )
    case_dir = tmp_path / "case"
    Terminal("new", str(case_dir), "--answers", str(answers)).finish()

    t = Terminal("interview", str(case_dir), "--section", "police_reports")
    t.pick("reported any of this to the police")  # Yes
    t.type("Which police force did you report it to", "police")  # several forces match
    t.expect("matches several forces")
    t.child.send("\x15thames v")
    t.expect("Thames Valley Police")  # the suggestion shown while typing
    t.child.send("\t" + ENTER)  # Tab takes the suggestion
    t.expect("On what date did you first report it")
    t.child.send("\x03")  # stop at the date; the force is saved
    assert t.finish() == 130

    t = Terminal("interview", str(case_dir))
    t.expect("call 999")
    t.type("On what date did you first report it", "20/09/2026")
    for prompt in ("How did you report", "crime reference", "why there is no crime", "officer"):
        t.type(prompt, "")
    t.pick("Which incidents did you report", SPACE)
    t.type("What did you report", "")
    t.type("promise to do anything", "")
    t.type("What has happened since", "")
    t.type("last contact you", "")
    for prompt in ("written confirmation", "support service", "kept you updated", "statement"):
        t.pick(prompt, DOWN * 2)  # skip
    t.pick("list each contact with the police", DOWN)
    t.pick("another report to the police")
    # The complaint: the force is offered from the report, Enter keeps it.
    t.pick("complain about how the police handled")
    t.type("Which force is the complaint about", "")
    t.type("What are you unhappy about", "Nobody has contacted me.\n")
    t.type("What would you like the police to do", "Call me back.\n")
    t.type("make contact easier", "")
    t.type("hard to complain sooner", "")
    t.expect("ask the court for an order")
    t.child.send("\x03")
    assert t.finish() == 130

    case = load_case(case_dir)
    (report,) = case.police_reports
    assert report.force == "Thames Valley Police"
    assert report.date.isoformat() == "2026-09-20" and report.incidents == ["i1"]
    assert case.psd_complaint.wanted and case.psd_complaint.force == "Thames Valley Police"
    assert case.psd_complaint.concerns == ["Nobody has contacted me."]
    assert case.psd_complaint.outcome_sought == ["Call me back."]


PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
"""A terminal's bracketed paste: what a real terminal sends around pasted text."""

OTHER_FILE = SAMPLES / "jane-smith" / "evidence" / "2026-07-29-instagram-dm.png"


def _pdf_text(path: Path) -> str:
    """A PDF's words, with the line breaks and spacing LibreOffice chose made single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def _asked(case_dir: Path) -> set[str]:
    """The questions the interview asked (answered or skipped), as question ids."""
    progress = yaml.safe_load((case_dir / PROGRESS_FILENAME).read_text(encoding="utf-8"))
    return {re.sub(r"\[\d+\]", "", path) for path in progress["asked"]}


def _question_ids(questions=None, prefix: str = "") -> set[str]:
    """Every question id of the shipped questionnaires, with the group's id before its own."""
    if questions is None:
        questions = [q for section in load_questionnaires() for q in section.questions]
    ids = set()
    for question in questions:
        ids.add(prefix + question.id)
        if question.type == "group":
            ids |= _question_ids(question.questions, f"{prefix}{question.id}.")
    return ids


def test_from_new_to_a_built_pack_taking_every_branch(tmp_path: Path) -> None:
    """The sample story typed in a terminal: Yes to every branch, No to "add another", a pack."""
    case_dir = tmp_path / "jane"
    t = Terminal("new", str(case_dir))
    t.expect("call 999")
    t.pick("Which part of the UK")  # England or Wales
    t.expect("Part 2 of 11: About you")
    t.type("What is your full name", "Jane Smith")
    t.type("living", "Payroll administrator")
    t.pick("keep your address")  # Yes, as the question suggests
    t.type(r"address \(without", "Flat 3, 41 Larkspur Road, Reading, Berkshire")
    t.type("postcode", "rg2 8qj")
    t.type("email address", "jane.smith.safe@example.com")
    t.type("phone number", "07700 90048")  # a digit short
    t.expect("has 10 digits")
    t.child.send("1" + ENTER)
    t.type("contact you", "email only")
    t.pick("voicemail")  # No, as suggested
    t.type("must not learn", "Where I work\n")
    t.pick("acting for you", UP)  # Yes: an adviser writes the letters for her
    t.type("What is their name", "Priya Shah")
    t.type("What is their role", "independent domestic violence adviser")
    t.pick("solicitor acting for you in the court case")  # No, as suggested: letters only
    t.type("Which organisation", "Reading Women's Aid")
    t.type("letters to them be sent", "1 Station Road, Reading RG1 1AA\n")
    t.type("What is their email address", "p.shah@example.org")
    t.type("What is their phone number", "0118 496 0000")
    t.type("reference number for your case", "")
    t.pick("agreed that they can act for you", UP)  # Yes
    # The person harassing her, with two accounts.
    t.expect("Part 3 of 11: The person harassing you")
    t.type("What is their name", "Mark Davies")
    t.type("How do you know them", "former partner (we separated in May 2026)")
    t.pick("closest to how you know them")  # we lived together
    t.type("describe them", "Aged 40, about 6 ft tall with short dark hair.\n")
    t.type("Do you know their address", "22 Westfield Gardens, Tilehurst, Reading RG31 6NB")
    t.pick("Do you know any account")  # Yes
    t.type("Which app or website is it on", "WhatsApp")
    t.type("account name", "+44 7700 900123")
    t.type("link to the account", "")
    t.pick("another account", UP)  # Yes: "add another" starts on No
    t.type("Which app or website is it on", "Instagram")
    t.type("account name", "@markd_86")
    t.type("link to the account", "https://www.instagram.com/markd_86/")
    t.pick("another account")
    t.pick("anyone else involved")
    # Incident 1: a pasted story of two paragraphs stays in one answer; two files, one sensitive.
    t.expect("Part 4 of 11: What happened")
    t.type("When did it happen", "2/6/26 10:41pm")
    t.type("Where did it happen", "WhatsApp")
    t.pick("Who did it")
    t.pick("What kind of thing", DOWN * 2 + SPACE)  # insults or abuse
    t.expect("What happened")
    t.child.send(
        PASTE_START + "Mark sent me two abusive WhatsApp messages.\r\rIt was about a fortnight "
        "after we separated." + PASTE_END
    )
    t.child.send(ENTER)  # a new line after the pasted text
    t.child.send(ENTER)  # and an empty line: finished
    t.type("exact words", "You're pathetic. Nobody will ever put up with you like I did.\n")
    t.type("link to it", "")
    t.type("screenshot or other file", str(SCREENSHOT))
    t.type("what does this file show", "Screenshot of the messages")
    t.pick("private sexual photo or video")  # No, as suggested
    t.expect("Saved a copy")
    t.type("screenshot or other file", str(OTHER_FILE))
    t.type("what does this file show", "A private photo he sent on")
    t.pick("private sexual photo or video", UP)  # Yes: described, not shown
    t.expect("Saved a copy")
    t.type("screenshot or other file", "")
    t.type("affect you", "")
    t.pick("add another incident", UP)
    # Incident 2: the day is not known; a threat, so the gentle warning first.
    t.type("When did it happen", "early July 2026")
    t.type("Where did it happen", "WhatsApp")
    t.pick("Who did it")
    t.pick("What kind of thing", SPACE)
    t.type("What happened", "Mark threatened me if I went to the police.\n")
    t.expect("can be upsetting")
    t.pick("write them now")
    t.type("exact words", "If you go to the police you will regret it. I mean that.\n")
    t.type("link to it", "")
    t.type("screenshot or other file", "")
    t.type("affect you", "I did not report to the police until August.\n")
    t.pick("add another incident")  # No
    # A report to Instagram that was answered.
    t.expect("Part 5 of 11")
    t.pick("reported any of this to an app")  # Yes
    t.type("Which app or website did you report", "Instagram")
    t.type("what date did you report", "28/6/26")
    t.type("reference", "")
    t.type("How did you report", "the Report button")
    t.pick("Which incidents did you report", SPACE)
    t.type("What did you report", "His comment under my photo.\n")
    t.type("What did they reply", "It does not go against our Community Standards.\n")
    t.type("On what date did they reply", "29/06/2026")
    t.pick("take it down", DOWN)  # No
    t.type("reporting hard", "There was no option for harassment by an ex-partner.\n")
    t.pick("appeal")  # Yes
    t.pick("another report to an app")
    # A report to the police, with one contact listed.
    t.expect("Part 6 of 11")
    t.pick("reported any of this to the police")  # Yes
    t.expect("Which police force did you report it to")
    t.child.send("thames v")
    t.expect("Thames Valley Police")  # suggested while typing
    t.child.send("\t" + ENTER)
    t.type("On what date did you first report it", "10/8/26")
    t.type("How did you report", "online")
    t.type("crime reference", "")
    t.type("why there is no crime", "They said it would be assessed first")
    t.type("officer", "")
    t.pick("Which incidents did you report", SPACE + DOWN + SPACE)
    t.type("What did you report", "Both incidents.\n")
    t.type("promise to do anything", "To call me within a week.\n")
    t.type("What has happened since", "Nothing.\n")
    t.type("last contact you", "20/8/26")
    for prompt in ("written confirmation", "support service", "kept you updated", "statement"):
        t.pick(prompt)  # Yes
    t.pick("list each contact with the police")  # Yes
    t.type("On what date", "20/8/26")
    t.type("what were you told", "An officer rang and said someone would visit.\n")
    t.pick("Add another contact")
    t.pick("another report to the police")
    # A complaint about the police: the force is offered from the report.
    t.expect("Part 7 of 11")
    t.pick("complain about how the police handled")  # Yes
    t.expect("Which force is the complaint about")
    t.expect("Thames Valley Police")
    t.child.send(ENTER)  # keeps it
    t.type("What are you unhappy about", "Nobody has visited.\nNo statement was taken.\n")
    t.type("What would you like the police to do", "Take a full statement from me.\n")
    t.type("make contact easier", "Email only, please.\n")
    t.type("hard to complain sooner", "")
    # Ofcom.
    t.expect("Part 8 of 11")
    t.pick("report to Ofcom")  # Yes
    t.pick("Which apps or websites", SPACE)
    t.type("anything else Ofcom", "")
    # The injunction, first without notice.
    t.expect("Part 9 of 11")
    t.pick("ask the court for an order")  # Yes
    t.type("county court", "County Court at Reading")
    # One term of each shape, in the court's words or her own.
    t.pick("What should the order stop them doing")  # contacting me
    t.type("may still email you about", "the car loan in our joint names")
    t.pick("anything else the order", UP)
    t.pick("What should the order stop them doing", DOWN)  # posting about me
    t.pick("not post or share", SPACE)  # my home address
    t.pick("anything else the order", UP)
    t.pick("What should the order stop them doing", DOWN * 3)  # coming near
    t.pick("keep away from", SPACE)  # my home
    t.pick("How far away")  # 100 metres, as suggested
    t.pick("anything else the order", UP)
    t.pick("What should the order stop them doing", DOWN * 9)  # taking posts down
    t.type("links to the posts", "https://www.instagram.com/p/abc123/\n")
    t.type("Which accounts", "")
    t.pick("anything else the order", UP)
    t.pick("What should the order stop them doing", DOWN * 10)  # in my own words
    t.type("make them stop", "telling people at my work that I am lying\n")
    t.pick("must stop, or something")
    t.pick("anything else the order")  # No
    t.pick("compensation")  # Yes
    t.pick("rather the police acted")  # Yes
    t.pick("Which court papers should harassment-pack prepare")  # the family court's order
    t.pick("urgently")  # Yes
    t.type("unsafe or too late", "He threatened me if I went to the police.\n")
    t.type("told them about the application", "No.\n")
    t.type("does not help your case", "I replied angrily once, on 15 June.\n")
    t.type("court papers be sent", "22 Westfield Gardens, Tilehurst, Reading RG31 6NB")
    t.expect("Part 10 of 11")
    t.type("affected your life", "I am frightened to go out.\n")
    t.type("main effects", "Loss of sleep\nAnxiety\n")
    # Her sister, who was sent one of his messages: a statement draft is made for her.
    t.expect("Part 11 of 11: People who saw it")
    t.pick("Did anyone else see any of it")  # Yes
    t.type("What is their full name", "Claire Smith")
    t.type("Who are they to you", "sister")
    t.type("What did they see or receive", "On 4 July 2026 Mark sent me a message saying "
           "Jane would regret going to the police.\n")  # fmt: skip
    t.pick("Which of the incidents", DOWN + SPACE)  # C2, the threat
    t.pick("willing to give a statement")  # Yes
    t.type("How can your solicitor contact them", "07700 900731")
    t.pick("anyone else who saw it")  # No
    # The review; then the injunction again, on notice this time; then the pack.
    t.expect("Your case so far")
    t.pick("What would you like to do now", DOWN * 9)  # Change: A court order …
    t.pick("ask the court for an order")  # keeps Yes
    t.type("county court", "")
    for number in range(1, 6):
        t.pick(f"Term of the order {number}")  # keep it
    t.pick("anything else the order")
    t.pick("compensation")  # keeps Yes
    t.pick("rather the police acted")
    t.pick("Which court papers should harassment-pack prepare")  # keeps the family court's
    t.pick("urgently", DOWN)  # No: on notice
    for prompt in ("told them about the application", "does not help your case"):
        t.expect(prompt)
        t.pick("What would you like to do")  # keep what was written
    t.type("court papers be sent", "")
    t.expect("Your case so far")
    t.pick("What would you like to do now")  # make the documents and the pack
    t.child.expect("Your pack", timeout=240)
    assert t.finish() == 0

    _tree(case_dir)
    case = load_case(case_dir)
    assert case.applicant.phone == "07700 900481" and case.applicant.postcode == "RG2 8QJ"
    assert case.acting_representative and case.acting_representative.name == "Priya Shah"
    (mark,) = case.respondents
    assert mark.name == "Mark Davies" and [a.platform for a in mark.accounts] == [
        "WhatsApp", "Instagram"]  # fmt: skip
    first, second = case.incidents
    assert first.when.isoformat() == "2026-06-02T22:41:00+01:00"
    assert first.summary == (
        "Mark sent me two abusive WhatsApp messages.\n\nIt was about a fortnight after we "
        "separated."
    )
    assert isinstance(second.when, ApproxDate) and second.when.isoformat() == "2026-07-early"
    assert second.kinds == ["threat"] and second.exact_words.startswith("If you go")
    shot, private = case.evidence
    assert first.evidence == [shot.id, private.id]
    assert not shot.sensitive and private.sensitive
    (report,) = case.platform_reports
    assert report.response_date.isoformat() == "2026-06-29" and report.appealed
    (police,) = case.police_reports
    assert police.force == "Thames Valley Police" and police.incidents == ["i1", "i2"]
    assert police.no_reference_reason and police.statement_taken and len(police.contacts) == 1
    assert case.psd_complaint.force == "Thames Valley Police"
    assert case.psd_complaint.concerns == ["Nobody has visited.", "No statement was taken."]
    assert case.ofcom_report.platforms == ["Instagram"]
    assert case.injunction.without_notice is False
    assert case.injunction.without_notice_reasons  # asked while it was without notice
    assert [order.term for order in case.injunction.orders] == [
        "contact", "publication", "approach", "removal", "own_words"]  # fmt: skip
    assert case.injunction.orders[2].places == ["home"] and case.wishes.damages
    assert case.impact.effects == ["Loss of sleep", "Anxiety"]
    (claire,) = case.witnesses
    assert (claire.full_name, claire.relation, claire.incidents) == ("Claire Smith", "sister",
                                                                     [second.id])  # fmt: skip
    assert claire.willing is True and claire.contact == "07700 900731"
    assert case.representative.solicitor is False and case.legal_representative is None
    assert case.injunction.route == "non_molestation"
    # Every question of every questionnaire was asked, but the note for Scotland and
    # Northern Ireland and who signs for a solicitor (each asked in a walk below).
    assert _question_ids() - _asked(case_dir) == {"jurisdiction_note", "injunction.signed_by"}

    out = case_dir / "out"
    assert (out / "pack.pdf").is_file()
    chronology = docx_text(out / "chronology.docx")
    assert "early July 2026 (exact day not known)" in chronology
    assert chronology.index("2 June 2026") < chronology.index("early July 2026")
    from harassment_pack.law.routes import court_route

    # The court application of the route that fits (FL401 for an associated person).
    route = court_route(load_case(case_dir))
    application = "fl401_application" if route == "non_molestation" else "injunction_application"
    for name in ("witness_statement", "psd_complaint", "ofcom_report", application):
        assert (out / f"{name}.pdf").is_file(), name
    # Her sister's statement draft, as LibreOffice wrote it; her number only on Jane's own sheet.
    statements = _pdf_text(out / "supporting_statements.pdf")
    assert "WITNESS STATEMENT OF CLAIRE SMITH" in statements
    assert "My name is Claire Smith." in statements and "sister" in statements
    assert "Jane would regret going to the police." in statements
    assert "numbered C2 in the" in statements
    assert "900731" not in statements.replace(" ", "")
    assert "Claire Smith (07700 900731)" in _pdf_text(out / "next_steps.pdf")
    assert "WITNESS STATEMENT OF CLAIRE SMITH" in _pdf_text(out / "pack.pdf")  # in her pack


def test_a_solicitor_signs_and_the_county_court_claim_is_chosen(tmp_path: Path) -> None:
    """The solicitor's branch: who signs is asked, the route chosen, and the papers say both."""

    def incident(when: str, summary: str) -> dict:
        return {
            "when": when,
            "platform": "WhatsApp",
            "respondent": "r1",
            "kinds": ["contact"],
            "summary": summary,
            **dict.fromkeys(("exact_words", "url", "impact"), ""),
            "evidence": [],
        }

    answers = tmp_path / "answers.yaml"
    answers.write_text(
        yaml.safe_dump(
            {
                **ANSWERS_BEFORE_INCIDENTS,
                "applicant": {**ANSWERS_BEFORE_INCIDENTS["applicant"], "full_name": "Jane Smith"},
                "representative": {
                    "acting": True,
                    "name": "Ruth Okafor",
                    "role": "Solicitor",
                    "solicitor": True,
                    "organisation": "Okafor & Co Solicitors",
                    "address": "2 Friar Street, Reading RG1 1DB",
                    "email": "ruth.okafor@example.com",
                    "phone": "",
                    "reference": "",
                    "authority": True,
                },
                "respondents": [
                    {
                        "name": "Mark Davies",
                        "relationship": "former partner",
                        "association": "cohabitant",
                        "description": "",
                        "address": "",
                        "accounts": [],
                    }
                ],
                "incidents": [
                    incident("01/10/2026", "He messaged me at 2am."),
                    incident("03/10/2026", "He messaged me again."),
                ],
                "platform_reports": [],
                "police_reports": [],
            }
        ),
        encoding="utf-8",
    )
    case_dir = tmp_path / "jane"
    assert Terminal("new", str(case_dir), "--answers", str(answers)).finish() == 0

    t = Terminal("interview", str(case_dir))  # carries on at the court order
    t.expect("call 999")
    t.pick("ask the court for an order")  # Yes
    t.type("county court", "County Court at Reading")
    t.pick("What should the order stop them doing")  # contacting me
    t.type("may still email you about", "")
    t.pick("anything else the order")  # No
    t.pick("compensation")  # Yes
    t.pick("rather the police acted", DOWN)  # No
    t.pick("Which court papers should harassment-pack prepare", DOWN)  # the County Court claim
    t.pick("urgently", DOWN)  # No: on notice
    t.type("told them about the application", "")
    t.type("does not help your case", "")
    t.type("court papers be sent", "22 Westfield Gardens, Tilehurst, Reading RG31 6NB")
    t.pick("Who will sign the court papers", DOWN * 3)  # "What does this mean?"
    t.expect(r"your own\s+witness statement is signed by you")
    t.pick("Who will sign the court papers")  # her solicitor, as suggested
    t.type("affected your life", "")
    t.type("main effects", "")
    t.pick("Did anyone else see any of it", DOWN)  # No
    t.expect("Your case so far")
    t.pick("What would you like to do now")  # make the documents and the pack
    t.child.expect("Your pack", timeout=240)
    assert t.finish() == 0

    case = load_case(case_dir)
    assert case.injunction.signed_by == "legal_representative"
    assert case.injunction.route == "pha_injunction" and case.wishes.damages
    assert {"injunction.signed_by", "injunction.route"} <= _asked(case_dir)
    out = case_dir / "out"
    application = _pdf_text(out / "injunction_application.pdf")
    assert "The Claimant believes that the facts stated in this application notice" in application
    assert "Full name: Ruth Okafor" in application
    letter = _pdf_text(out / "court_letter.pdf")
    assert "We act for the Claimant, Jane Smith. We enclose, for filing:" in letter
    cover = _pdf_text(out / "pack.pdf").split("Index")[0]
    assert "The court papers in this pack are for a harassment claim and injunction" in cover
    assert "as you chose: you want compensation" in cover
    assert f"harassment-pack interview {case_dir.name} --section injunction" in cover


def test_scotland_an_unknown_person_help_and_new_carries_on(tmp_path: Path) -> None:
    """The other branches: Scotland's note, help, a needed answer, someone unknown, no reports."""
    case_dir = tmp_path / "case"
    t = Terminal("new", str(case_dir))
    t.pick("Which part of the UK", DOWN * 4)  # "What does this mean?"
    t.expect("share the same law")
    t.pick("Which part of the UK", DOWN)  # Scotland
    t.expect("made for the law of England and Wales")
    t.type("What is your full name", "")  # needed: asked again with the reason
    t.expect("needed for your documents")
    t.child.send("Sam Taylor" + ENTER)
    t.type("living", "?")
    t.expect("gives your occupation")
    t.type("living", "")
    t.expect("keep your address")  # the answer before is saved
    t.child.send("\x03")
    assert t.finish() == 130

    t = Terminal("new", str(case_dir))  # the same folder: carries on, does not refuse
    t.expect("carrying on with it")
    t.expect("Carrying on where you stopped: Do you need to keep your address")
    t.pick("keep your address")
    t.type(r"address \(without", "")
    t.type("postcode", "RG2 8Q")  # unreadable: asked again, with the reason in one line
    t.expect("is not a UK postcode")
    t.child.send("J" + ENTER)
    for prompt in ("email address", "phone number"):
        t.type(prompt, "")
    t.type("contact you", "")
    t.pick("voicemail")
    t.type("must not learn", "")
    t.pick("acting for you")  # No
    t.type("What is their name", "")  # not known: no questions about how she knows them
    t.pick("closest to how you know them", DOWN * 11)  # a stranger
    t.type("describe them", "")
    t.pick("Do you know any account", DOWN)  # No
    t.pick("anyone else involved")
    t.type("When did it happen", "31/02/2026 20:05")
    t.expect("is not a real date")
    t.child.send("\x15" + "yesterday 22:14" + ENTER)
    t.type("Where did it happen", "Instagram")
    t.pick("Who did it")
    t.pick("What kind of thing", DOWN * 2 + SPACE)
    t.type("What happened", "An account I do not know sent me abuse.\n")
    t.type("exact words", "")
    t.type("link to it", "")
    t.type("screenshot or other file", "")
    t.type("affect you", "")
    t.pick("add another incident")
    t.pick("reported any of this to an app", DOWN)  # No
    t.pick("reported any of this to the police", DOWN)  # No
    t.expect("Part 10 of 11")  # no complaint, Ofcom or injunction parts in Scotland
    t.type("affected your life", "")
    t.type("main effects", "")
    t.expect("Your case so far")
    t.pick("What would you like to do now", UP)  # stop here
    assert t.finish() == 0
    case = load_case(case_dir)
    assert case.jurisdiction == "scotland" and case.respondents[0].name == "Unknown"
    assert case.applicant.postcode == "RG2 8QJ"
    assert case.incidents[0].when.date() == date.today() - timedelta(days=1)
    assert {"jurisdiction_note", "respondents.name"} <= _asked(case_dir)
    assert "respondents.relationship" not in _asked(case_dir)


QUESTION = re.compile(r"\?\x1b\[0;1m (.+?) ?\x1b\[0m")
"""A question as questionary draws it: the mark, then the question in bold."""


def test_every_section_of_the_sample_case_walked_pressing_enter_keeps_every_answer(
    tmp_path: Path,
) -> None:
    """``--section`` on the complete sample: Enter at every prompt changes nothing at all."""
    case_dir = tmp_path / "jane"
    copy_sample(SAMPLES / "jane-smith", case_dir)
    before = load_case(case_dir).model_dump(mode="json")
    for section in load_questionnaires():
        t = Terminal("interview", str(case_dir), "--section", section.section)
        asked = []
        while True:
            t.child.expect(r"\x1b\[\?2004h")  # a prompt starts (bracketed paste on)
            t.child.expect(QUESTION)
            question = t.child.match[1]
            if question.startswith("What would you like to do now?"):
                break
            asked.append(question)
            assert len(asked) < 200, f"--section {section.section} does not end: {asked[-5:]}"
            t.child.send(ENTER)
        t.child.send(UP + ENTER)  # Stop here
        assert t.finish() == 0
        if section.section != "safety":
            assert len(asked) >= 2, (section.section, asked)
        assert load_case(case_dir).model_dump(mode="json") == before, section.section
