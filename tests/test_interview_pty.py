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
from pathlib import Path

import pexpect
import yaml

from harassment_pack.case import load_case
from harassment_pack.interview import PROGRESS_FILENAME

from .conftest import SAMPLES

EXE = str(Path(sys.executable).with_name("harassment-pack"))
RUN = os.path.relpath(EXE) if EXE.startswith(os.getcwd() + os.sep) else EXE
"""How the Ctrl-C message should name the program: as it was run (it is not on the PATH)."""
DOWN, UP, ENTER, SPACE = "\x1b[B", "\x1b[A", "\r", " "
SCREENSHOT = SAMPLES / "jane-smith" / "evidence" / "2026-07-03-whatsapp-threat.png"


class Terminal:
    """One harassment-pack process in a pseudo-terminal, answered prompt by prompt."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", PATH="/usr/bin:/bin")
        self.child = pexpect.spawn(
            EXE, list(args), env=env, dimensions=(40, 120), encoding="utf-8", timeout=10
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
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus


def _tree(folder: Path) -> None:
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "case.yaml").stat().st_mode & 0o777 == 0o600


def test_full_small_case_typed_in_a_terminal(tmp_path: Path) -> None:
    case_dir = tmp_path / "my-case"
    t = Terminal("new", str(case_dir))
    t.expect("call 999")
    t.expect(str(case_dir.resolve()))
    t.pick("Which part of the UK", DOWN * 4)  # "What does this mean?"
    t.expect("share the same law")
    t.pick("Which part of the UK")
    t.type("What is your full name", "")  # needed: asked again with the reason
    t.expect("needed for your documents")
    t.child.send("Sam Taylor" + ENTER)
    t.type("living", "?")
    t.expect("gives your occupation")
    t.type("living", "Teacher")
    t.pick("keep your address")
    t.type(r"address \(without", "")
    t.type("postcode", "RG2 8Q")  # invalid: asked again with the reason
    t.expect("is not a UK postcode")
    t.child.send("J" + ENTER)
    t.type("email address", "")
    t.type("phone number", "07700 900481")
    t.type("contact you", "")
    t.pick("voicemail")
    t.type("must not learn", "?")
    t.expect("confidential schedule")
    t.type("must not learn", "Hartwell Payroll Services\nthe 7:40 train from Tilehurst\n")
    t.pick("acting for you")  # Enter keeps No (tests/test_representative.py takes Yes)
    # The person harassing you: identity unknown, one account.
    t.type("What is their name", "")
    t.pick("closest to how you know them", DOWN * 11)  # a stranger
    t.type("describe them", "")
    t.pick("any account")
    t.type("Which app or website is it on", "Instagram")
    t.type("account name", "@quiet_observer_4417")
    t.type("link to the account", "")
    t.pick("another account")
    t.pick("anyone else involved")
    # Incident 1: a threat, so the gentle warning comes before the exact words.
    t.type("When did it happen", "31/02/2026 20:05")
    t.expect("is not a real date")
    t.child.send("\x15" + "14/09/2026 20:05" + ENTER)
    t.type("Where did it happen", "Instagram")
    t.pick("Who did it")
    t.pick("What kind of thing", SPACE)
    t.type(
        "What happened", "An account I do not recognise messaged me.\nIt said it knew my address.\n"
    )
    t.expect("can be upsetting")
    t.pick("write them now")
    t.type("exact words", "I know where you live.\n")
    t.type("link to it", "")
    t.type("screenshot or other file", str(SCREENSHOT))
    t.type("what does this file show", "\x15Screenshot of the message")
    t.expect("Saved a copy")
    t.type("screenshot or other file", "")
    t.type("affect you", "")
    t.pick("add another incident", UP)  # Yes (No is the default)
    # Incident 2: contact only, so no warning.
    t.type("When did it happen", "3 Oct 2026")
    t.type("Where did it happen", "Instagram")
    t.pick("Who did it")
    t.pick("What kind of thing", DOWN * 3 + SPACE)
    t.type("What happened", "It messaged me again.\n")
    t.type("exact words", "You can't hide.\n")
    t.type("link to it", "https://www.instagram.com/direct/t/1234")
    t.type("screenshot or other file", "")
    t.type("affect you", "")
    t.pick("add another incident")
    # One report to Instagram, none to the police.
    t.pick("reported any of this to an app")
    t.type("Which app or website did you report", "Instagram")
    t.type("what date did you report", "15/09/2026")
    t.type("reference", "")
    t.type("How did you report", "")
    t.pick("Which incidents did you report", SPACE)
    t.type("What did you report", "")
    t.type("What did they reply", "")
    t.pick("take it down", DOWN)
    t.type("reporting hard", "")
    t.pick("appeal", DOWN * 2)
    t.pick("another report to an app")
    t.pick("reported any of this to the police", DOWN)
    # Ofcom (there is a platform report), then the injunction and the impact.
    t.pick("report to Ofcom")
    t.pick("Which apps or websites", SPACE)
    t.type("anything else Ofcom", "")
    t.pick("ask the court for an order")
    t.type("county court", "County Court at Reading")
    t.pick("What should the order stop them doing", DOWN * 10)  # in my own words
    t.type("make them stop", "contact me by any means\n")
    t.pick("must stop, or something")
    t.pick("anything else the order")
    t.pick("compensation", DOWN)
    t.pick("rather the police acted", DOWN)
    t.pick("urgently", DOWN)
    t.type("told them about the application", "")
    t.type("does not help your case", "")
    t.type("court papers be sent", "")
    t.type("affected your life", "I am frightened to go out.\n")
    t.type("main effects", "Loss of sleep\nAnxiety\n")
    t.expect("Your case so far")
    t.expect("incidents: 2")
    t.expect(r"exhibits\): 1")
    t.pick("What would you like to do now", UP)
    assert t.finish() == 0

    _tree(case_dir)
    case = load_case(case_dir)
    assert case.applicant.full_name == "Sam Taylor"
    assert case.applicant.postcode == "RG2 8QJ"
    assert case.applicant.keep_address_confidential is True
    assert case.applicant.voicemail_safe is False
    assert case.applicant.private_details == [
        "Hartwell Payroll Services",
        "the 7:40 train from Tilehurst",
    ]
    assert case.respondents[0].name == "Unknown"
    assert case.respondents[0].accounts[0].handle == "@quiet_observer_4417"
    first, second = case.incidents
    assert first.when.isoformat() == "2026-09-14T20:05:00+01:00"  # BST
    assert first.kinds == ["threat"] and first.respondent == "r1"
    assert (
        first.summary == "An account I do not recognise messaged me.\nIt said it knew my address."
    )
    assert first.exact_words == "I know where you live."
    assert second.when.isoformat() == "2026-10-03" and second.kinds == ["contact"]
    assert second.url == "https://www.instagram.com/direct/t/1234"
    (exhibit,) = case.evidence
    assert first.evidence == [exhibit.id]
    assert exhibit.description == "Screenshot of the message"
    assert (case_dir / exhibit.file).read_bytes() == SCREENSHOT.read_bytes()
    assert case.platform_reports[0].incidents == ["i1"]
    assert case.platform_reports[0].content_removed is False
    assert case.police_reports == [] and case.psd_complaint is None
    assert case.ofcom_report.wanted and case.ofcom_report.platforms == ["Instagram"]
    assert case.injunction.sought and case.injunction.court == "County Court at Reading"
    assert case.injunction.orders[0].text == "contact me by any means"
    assert case.injunction.orders[0].term == "own_words"
    assert case.respondents[0].association == "stranger"
    assert case.wishes.damages is False and case.wishes.prefers_police is False
    assert case.impact.effects == ["Loss of sleep", "Anxiety"]


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
    t.child.send("\x03")
    assert t.finish() == 130
    (incident,) = load_case(case_dir).incidents  # complete now, so in case.yaml
    assert incident.summary == "He said he would kill me.\nHe knows where I live."
    assert incident.exact_words is None and incident.platform == "WhatsApp"


def test_a_question_added_in_a_questionnaire_file_is_asked_and_saved(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("applicant.full_name: Sam Taylor\n", encoding="utf-8")
    case_dir = tmp_path / "case"
    Terminal("new", str(case_dir), "--answers", str(answers)).finish()
    extra = tmp_path / "questionnaires"
    extra.mkdir()
    (extra / "extra.yaml").write_text(
        "section: extra\n"
        "title: One more thing\n"
        "order: 1\n"
        "questions:\n"
        "  - id: statement_prepared\n"
        "    type: long_text\n"
        "    prompt: Who helped you prepare your statement?\n",
        encoding="utf-8",
    )
    t = Terminal("interview", str(case_dir), "--questionnaires", str(extra))
    t.type("Who helped you prepare", "My sister typed it while I spoke.\n")
    t.pick("What would you like to do now", UP)
    assert t.finish() == 0
    case = load_case(case_dir)
    assert case.statement_prepared == "My sister typed it while I spoke."
    assert case.applicant.full_name == "Sam Taylor"


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


def test_revisit_a_section_then_build_the_pack_from_the_review_screen(tmp_path: Path) -> None:
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
    t.type("Where did it happen", "\x15Instagram")
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
    t.pick("What would you like to do now")  # the first choice: make the pack
    t.child.expect("Your pack", timeout=180)  # a real LibreOffice build; the machine may be busy
    assert t.finish() == 0

    (incident,) = load_case(case_dir).incidents
    assert (incident.id, incident.platform, incident.summary) == (
        "i2",
        "Instagram",
        "Another post.",
    )
    assert incident.when.isoformat() == "2026-10-02" and incident.kinds == ["threat"]
    assert (case_dir / "out" / "pack.pdf").is_file()


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
    t.type("why did you wait", "")
    t.child.send("\x03")
    assert t.finish() == 130

    case = load_case(case_dir)
    (report,) = case.police_reports
    assert report.force == "Thames Valley Police"
    assert report.date.isoformat() == "2026-09-20" and report.incidents == ["i1"]
    assert case.psd_complaint.wanted and case.psd_complaint.force == "Thames Valley Police"
    assert case.psd_complaint.concerns == ["Nobody has contacted me."]
    assert case.psd_complaint.outcome_sought == ["Call me back."]


def test_order_terms_chosen_in_a_terminal_become_legal_phrasing(tmp_path: Path) -> None:
    """Every branch of the order-terms questions, then the papers built from the answers."""
    answers = tmp_path / "answers.yaml"
    before = {**ANSWERS_BEFORE_INCIDENTS}
    before["respondents"] = [
        {"name": "Mark Davies", "relationship": "my ex",
         "association": "partner_not_lived_together", "description": "", "address": "",
         "accounts": []}
    ]  # fmt: skip
    before["incidents"] = [
        {"when": "01/10/2026", "platform": "X", "respondent": "r1", "summary": "A post about me."},
        {"when": "02/10/2026", "platform": "X", "respondent": "r1", "summary": "Another post."},
    ]
    answers.write_text(yaml.safe_dump(before), encoding="utf-8")
    case_dir = tmp_path / "case"
    Terminal("new", str(case_dir), "--answers", str(answers)).finish()

    t = Terminal("interview", str(case_dir), "--section", "injunction")
    t.pick("ask the court for an order")
    t.type("county court", "")
    t.pick("What should the order stop them doing")  # contacting me
    t.type("still email you about", "my car loan")
    t.pick("anything else the order")
    t.pick("What should the order stop them doing", DOWN)  # posting about me
    t.pick("must they not post", SPACE + DOWN + SPACE)  # home address, work
    t.pick("anything else the order")
    t.pick("What should the order stop them doing", DOWN * 3)  # coming near
    t.pick("keep away from", SPACE)  # home
    t.pick("How far away", DOWN)  # from the default 100 to 200 metres
    t.pick("anything else the order")
    t.pick("What should the order stop them doing", DOWN * 9)  # taking down
    t.type("links to the posts", "https://x.com/markd/status/111\n")
    t.type("Which accounts", "@fake_sam (Instagram)\n")
    t.pick("anything else the order")
    t.pick("What should the order stop them doing", DOWN * 10)  # own words
    t.type("make them stop", "Stop contacting me on WhatsApp\n")
    t.pick("must stop, or something")
    t.pick("anything else the order", DOWN)
    t.pick("compensation")  # yes
    t.pick("rather the police acted", DOWN)
    t.pick("urgently", DOWN)
    t.type("told them about the application", "")
    t.type("does not help your case", "")
    t.type("court papers be sent", "")
    t.pick("What would you like to do now", UP)
    assert t.finish() == 0

    case = load_case(case_dir)
    terms = [order.term for order in case.injunction.orders]
    assert terms == ["contact", "publication", "approach", "removal", "own_words"]
    contact, publication, approach, removal, own = case.injunction.orders
    assert contact.exception == "my car loan"
    assert publication.subjects == ["home_address", "workplace"]
    assert approach.places == ["home"] and approach.distance_m == 200
    assert removal.urls == ["https://x.com/markd/status/111"]
    assert removal.accounts == ["@fake_sam (Instagram)"]
    assert own.text == "Stop contacting me on WhatsApp" and own.kind == "prohibitory"
    assert case.wishes.damages is True

    from harassment_pack.order_terms import build_terms

    texts = [term.text for term in build_terms(case.injunction, confidential=True)]
    assert "by email solely about the Claimant's car loan" in texts[0]
    assert "the Claimant's home address or the Claimant's place of work" in texts[1]
    assert texts[2].startswith("going within 200 metres of the Claimant's home (the address in")
    assert "first make and keep a complete copy" in texts[3]
    assert texts[4] == "contacting the Claimant on WhatsApp"
