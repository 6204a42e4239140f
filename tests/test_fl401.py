"""The FL401 route as built for real (LibreOffice PDFs): the application in the sections and
numbered questions of form FL401 (07.21), in order, naming the edition with its checked date;
the statement of truth worded for whoever signs; the supporting statement in the family court's
form (FPR PD 22A, PD 17A); and a served bundle that never carries her confidential address."""

from __future__ import annotations

import re
import subprocess

import pytest
from pypdf import PdfReader

from harassment_pack.build import COURT_BUNDLE_NAME, build_case
from harassment_pack.case import load_case, save_case
from harassment_pack.dates import uk_month
from harassment_pack.documents.fl401 import TITLE as FL401_TITLE
from harassment_pack.law import load_data

from .conftest import TODAY, docx_text
from .test_court_papers import SOLICITOR
from .variants import variant_dir

PAPERS = load_data("court_papers")
ROUTES = load_data("routes")
FL401 = PAPERS["fl401"]
TRUTH = PAPERS["family_statement_of_truth"]
ADDRESS_WORDS = ("Larkspur",)  # the sample's confidential home address


def _flat(text: str) -> str:
    """One line of text; the tick-box glyphs, which the PDF text layer moves, left out."""
    return " ".join(text.replace("\u2612", " ").replace("\u2610", " ").split())


def _has(text: str, words: str) -> bool:
    """``words`` in ``text`` wherever the PDF's lines happened to break."""
    return "".join(_flat(words).split()) in "".join(_flat(text).split())


def _build(tmp_path, name: str, represented: bool):
    folder = variant_dir("former_partner", tmp_path / name)
    case = load_case(folder)
    data = case.model_dump()
    data["injunction"]["route"] = None  # the route that fits: the family court's
    if represented:
        data["representative"] = SOLICITOR
        data["injunction"]["signed_by"] = "legal_representative"
    save_case(type(case).model_validate(data), folder)
    result = build_case(folder, tmp_path / f"{name}-out", today=TODAY)
    bundle = PdfReader(result.out_dir / COURT_BUNDLE_NAME)
    pages = [page.extract_text() or "" for page in bundle.pages]
    return result, pages


@pytest.fixture(scope="module")
def in_person(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("fl401"), "in-person", represented=False)


@pytest.fixture(scope="module")
def represented(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("fl401-rep"), "represented", represented=True)


def _application(pages: list[str]) -> str:
    """The FL401 pages of the court bundle (it comes first), up to the witness statement."""
    text = _flat("\n".join(pages))
    start = text.index(FL401["title"])
    return text[start : text.index("WITNESS STATEMENT OF", start)]


def _questions(part_id: str) -> dict[str, str]:
    """The words of one part's questions, by id."""
    part = next(part for part in FL401["parts"] if part["id"] == part_id)
    return {question["id"]: question["text"] for question in part["questions"]}


def test_fl401_sections_in_order_naming_the_edition(in_person):
    result, pages = in_person
    assert "fl401_application" in {d.name for d in result.documents}
    form = _application(pages)
    parts = {part["id"]: part for part in FL401["parts"]}
    positions = [form.index(_flat(part["heading"])) for part in FL401["parts"]]
    assert positions == sorted(positions), [part["heading"] for part in FL401["parts"]]
    # The questions are the form's own words and numbers, as the data keeps them, in order.
    situation = _questions("situation")
    for key in ("orders", "without_notice", "reasons", "why", "bail", "bail_end", "other"):
        assert _has(form, situation[key]), key
    assert _has(form, _questions("relationship")["question"])
    assert _has(form, _questions("home")["question"])  # 7.1, answered No
    # Which edition the layout follows and that the current one differs; no date in the form
    # (the solicitor's note dates it).
    paper = FL401["paper_form"]
    head = PAPERS["fl401_edition"]["text"].format(seen=paper["seen"], current=paper["current"])
    assert _has(form, head)
    # ... and, for the solicitor, that the current edition's text was not seen.
    not_seen = PAPERS["fl401_edition"]["not_seen"]
    assert _has(form, not_seen.format(seen=paper["seen"], current=paper["current"]))
    # Without notice: the s.45(2) factors, the threat one ticked for a threat to kill. (The
    # PDF's text layer moves the box glyphs, so the ticks are read from the DOCX.)
    for option in parts["situation"]["reason_options"]:
        assert _has(form, option)
    boxes = docx_text(result.out_dir / "fl401_application.docx")
    assert "\u2612  a) there is risk of significant harm" in boxes
    assert "(s.45(2)(a))" in boxes
    assert "\u2610  b) it is likely that I will be deterred" in boxes
    assert f"\u2612 {parts['situation']['options'][0]}    \u2610 " in boxes
    # Her contact details are on form C8, never here; the C8 goes with the application.
    applicant = _questions("applicant")
    shared = f"{applicant['shared']}\n\u2610 Yes    \u2612 {parts['applicant']['shared_no']}"
    assert shared in boxes
    assert _has(form, applicant["address"] + " Not given here: see form C8")
    assert "Form C8 (confidential contact details)" in form
    assert "7.1 Are you applying for an occupation order?\n\u2610 Yes    \u2612 No" in boxes
    # The relationship is the category she chose, with the form's options.
    assert "were in an intimate relationship; they did not live together" in form
    assert _has(form, "Former boyfriend, girlfriend or partner who did not live with me")
    assert "ex-boyfriend" not in form
    assert "Claimant" not in form and "Defendant" not in form
    # An application has no schedule: her home is named, its address left to the court.
    assert "schedule to this order" not in form
    assert _has(form, "the Applicant's home " + FL401["confidential_place"])


def test_every_question_is_in_its_place_and_those_left_are_listed(in_person):
    """A solicitor copies the draft onto the form question by question: each question the form
    would ask her is in its place, answered or marked to be completed, and the note for the
    solicitor lists the numbers left; the form's routing leaves out what it skips."""
    result, pages = in_person
    form = _application(pages)
    boxes = docx_text(result.out_dir / "fl401_application.docx").split("\n")
    blank, when = FL401["to_complete"], FL401["to_complete_when"]
    shown, left = [], []
    for part in FL401["parts"]:
        for question in part["questions"]:
            if question["text"] not in boxes:
                continue
            number = question["text"].split()[0]
            if not number[0].isdigit():
                number = f"'{question['text']}' ({part['heading']})"
            shown.append(number)
            answer = boxes[boxes.index(question["text"]) + 1]
            if answer.startswith("[to be completed"):
                left.append(number)
                expected = when.format(when=question["when"]) if "when" in question else blank
                assert answer == expected, question["text"]
    # The questions last session's draft skipped without saying so are now there, marked.
    for number in ("2.2", "2.8", "2.9", "3.2", "4.2", "5.2", "8.2", "8.4"):
        assert number in left, number
    assert "5.2 Details of the child or children to be protected by the order:\n" + when.format(
        when="5.1 is 'You and your child/children'"
    ) in "\n".join(boxes)
    # Answered ones are not listed; the form's routing leaves out what it skips on the draft's
    # own answers: no representative (2.11-2.16), a relationship listed in 4.1 (4.4), no
    # occupation order (7.2 on).
    for number in ("1.1", "1.2", "2.1", "3.5", "3.6", "3.7", "4.1", "6.2", "7.1"):
        assert number in shown and number not in left, number
    # His own number and email, from his accounts in the case file.
    respondent = _questions("respondent")
    assert f"{respondent['phone']}\n+44 7700 900123\n{respondent['email']}\n" in "\n".join(boxes)
    assert "mark.davies86@example.com" in boxes[boxes.index(respondent["email"]) + 1]
    for number in ("2.11", "2.16", "4.4", "7.2"):
        assert number not in shown, number
    # The checklist for the solicitor names exactly the questions left, in the form's order.
    assert left[0] == "'How old are you?' (Before you start)"
    assert _has(form, FL401["left_for_the_form"].format(questions=", ".join(left)))
    # No dated note inside the application (the s.62 category, the edition, the statements of
    # truth): the dates are in the solicitor's note, under this application's title.
    assert not re.search(r"checked (January|February|March|April|May|June|July|August|"
                         r"September|October|November|December) \d{4}", form)  # fmt: skip
    assert _has(form, "(Family Law Act 1996 s.62(3)(ea)")
    note = docx_text(result.out_dir / "solicitor_notes.docx").split("\n")
    section = note[note.index(FL401_TITLE) :]
    for entry in (PAPERS["fl401_edition"], ROUTES["associations"], TRUTH):
        assert f"{entry['label']} (checked {uk_month(entry['checked'])})." in section


def test_fl401_statement_of_truth_signed_by_the_applicant(in_person):
    form = _application(in_person[1])
    boxes = docx_text(in_person[0].out_dir / "fl401_application.docx")
    assert "\u2612 Applicant    \u2610 Applicant's legal representative" in boxes
    assert _has(form, TRUTH["fl401_applicant"])
    assert "I am authorised by the applicant" not in form
    assert "Full name: Jane Smith" in form
    assert _has(form, FL401["no_self_service"])  # she applies in person


def test_fl401_statement_of_truth_signed_by_her_solicitor(represented):
    form = _application(represented[1])
    boxes = docx_text(represented[0].out_dir / "fl401_application.docx")
    assert "\u2610 Applicant    \u2612 Applicant's legal representative" in boxes
    assert _has(form, TRUTH["fl401_legal_representative"])
    assert "I believe that the facts stated in this form" not in form
    for label, answer in zip(
        FL401["representative_lines"],
        ("Priya Shah", "Shah & Co Solicitors", "Solicitor"),
        strict=True,
    ):
        assert f"{label}: {answer}" in form
    applicant = _questions("applicant")
    assert _has(form, applicant["rep_name"] + " Priya Shah")
    assert _has(form, applicant["rep_firm"] + " Shah & Co Solicitors")
    assert not _has(form, FL401["no_self_service"])  # a solicitor knows the court serves
    # The supporting statement is still hers: its maker signs it.
    text = _flat("\n".join(represented[1]))
    statement = text[text.index("WITNESS STATEMENT OF JANE SMITH") :]
    assert _has(statement, TRUTH["witness"])
    assert "Full name: Jane Smith" in statement


def test_supporting_statement_in_the_family_courts_form(in_person):
    text = _flat("\n".join(in_person[1]))
    start = text.index("WITNESS STATEMENT OF JANE SMITH")
    # PD 22A heading: top right (party, maker, number, exhibits, date), then the title of the
    # proceedings in the family court, Applicant and Respondent.
    corner = text[text.rindex(FL401["title"], 0, start) : start]
    corner = corner[corner.index("Applicant J. Smith") :]
    fields = re.match(
        r"(Applicant) (J\. Smith) (1st statement) (Exhibits JS/1.JS/\d+) (Date:)", corner
    )
    assert fields and len(fields.groups()) == len(PAPERS["family_statement"]["heading_fields"])
    assert "IN THE FAMILY COURT AT [HEARING CENTRE]" in corner
    assert "Case No." in corner and "Claim No." not in corner
    statement = text[start:]
    statement = statement[: statement.index("Date:", statement.index("Statement of truth"))]
    assert "1. My name is Jane Smith." in statement
    assert "I am the Applicant in this application" in statement
    assert "Defendant" not in statement and "Claimant" not in statement
    # PD 17A: the contempt warning first, then the belief in this witness statement.
    assert statement.endswith(_flat(TRUTH["witness"]) + " Signed: " + "." * 56 + " Full name: "
                              "Jane Smith ")  # fmt: skip
    assert _flat(PAPERS["statement_of_truth"]["party"].split(". I")[0]) not in statement
    # A supporting witness (her sister) makes a family court statement too.
    result = in_person[0]
    sister = docx_text(result.out_dir / "supporting_statements.docx")
    assert "I am not a party to this application" in sister
    assert TRUTH["witness"] in sister


def test_served_fl401_bundle_never_carries_the_confidential_address(in_person):
    result, pages = in_person
    bundle = "\n".join(pages)
    for word in ADDRESS_WORDS:
        assert word not in bundle
    # The pages a solicitor reads: rendered, not blank.
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1",
         str(result.out_dir / COURT_BUNDLE_NAME), str(result.out_dir / "page")],
        capture_output=True, check=True,
    )  # fmt: skip
    assert png.returncode == 0 and list(result.out_dir.glob("page*.png"))


def test_covering_letter_names_the_supporting_witness_statement_as_the_form_does(in_person):
    """The FL401 calls the statement filed with it the 'supporting witness statement'; the
    covering letter and the application's list of documents name it so, with its number (as its
    PD 22A heading gives it), its date and its exhibits."""
    result, pages = in_person
    letter = _flat(
        " ".join(p.extract_text() for p in PdfReader(result.out_dir / "court_letter.pdf").pages)
    )
    named = (
        f"The {FL401['statement_name']} of Jane Smith (1st statement), dated [date of signing], "
        "with exhibits JS/1\u2013JS/"
    )
    assert _has(letter, named)
    assert "first witness statement" not in letter.lower()
    assert _has(letter, "and the witness statement of Claire Smith")
    assert _has(_application(pages), named)
    # The statement itself carries that number in its heading.
    assert "1st statement" in _flat("\n".join(pages))


def test_fl401_edition_status_says_what_was_read(monkeypatch):
    """What is verified is the edition whose text was read (07.21); the current edition's number
    rests on secondary sources and its text was not seen, so the entry is not 'verified' and the
    application tells the solicitor so, until the current text is recorded as seen."""
    from harassment_pack.documents.common import CaseView
    from harassment_pack.documents.fl401 import build
    from harassment_pack.law import load_law

    from .variants import variant

    paper = FL401["paper_form"]
    assert paper["seen_status"] == "verified"
    assert paper["current_text_seen"] is False
    assert paper["current_status"] == paper["status"] == "partly_verified"
    assert "newest edition read" in PAPERS["fl401_edition"]["text"]  # the read one is {seen}
    not_seen = PAPERS["fl401_edition"]["not_seen"].format(
        seen=paper["seen"], current=paper["current"]
    )
    view = CaseView(variant("former_partner"), load_law(), TODAY)
    assert not_seen in build(view)["unchecked"]
    monkeypatch.setitem(paper, "current_text_seen", True)
    assert not_seen not in build(view)["unchecked"]


def test_the_statement_relies_only_on_the_s45_factors_the_form_ticks(in_person, tmp_path):
    """Her statement never says he "is deliberately evading service" of an application she has
    not told him about: it names the factor FL401 question 1.3 ticks (a threat: risk of harm)."""
    factors = PAPERS["fl401"]["without_notice_factors"]
    statement = docx_text(in_person[0].out_dir / "witness_statement.docx")
    assert "I rely on this factor; my reasons follow:" in statement
    assert factors[0] in statement
    for untrue in factors[1:]:
        assert untrue not in statement
    assert "deliberately evading service" not in statement
    application = _application(in_person[1])
    assert _has(application, "\u2612 a) there is risk of significant harm")
    assert _has(application, "\u2610 c) I believe that the respondent is aware")
    # No threat recorded: nothing is ticked or stated for her; the draft asks her to say.
    folder = variant_dir("former_partner", tmp_path / "calm")
    case = load_case(folder)
    data = case.model_dump()
    data["injunction"]["route"] = None
    for incident in data["incidents"]:
        incident["kinds"] = [k for k in incident["kinds"] if not k.startswith("threat")] or [
            "contact"
        ]
    save_case(type(case).model_validate(data), folder)
    result = build_case(folder, tmp_path / "calm-out", today=TODAY, only=["witness_statement"])
    calm = docx_text(result.out_dir / "witness_statement.docx")
    assert "[Say which of the factors apply to you, and why.]" in calm
    assert not any(factor in calm for factor in factors)


def test_the_confidential_schedule_names_the_parties_as_the_family_court_does(in_person):
    schedule = docx_text(in_person[0].out_dir / "confidential_schedule.docx")
    assert "The Applicant's address" in schedule
    assert "not to be served on the Respondent" in schedule
    assert "Other details the Respondent must not learn" in schedule
    assert "Claimant" not in schedule and "Defendant" not in schedule


def test_the_family_pack_never_calls_the_parties_claimant_or_defendant(in_person):
    """Every document of the family-court route, the solicitor's note included, names the
    parties as that court does."""
    result = in_person[0]
    for document in result.documents:
        text = docx_text(result.out_dir / document.template)
        for civil in ("Claimant", "Defendant"):
            assert civil not in text, f"{document.name}: {civil}"


def test_the_fl401_statement_of_truth_is_never_alone_on_its_page(in_person):
    """Issue 12 point 8 on the family route: the signature page also holds the last section."""
    result = in_person[0]
    reader = PdfReader(result.out_dir / "fl401_application.pdf")
    pages = [page.extract_text() or "" for page in reader.pages]
    signed = next(page for page in pages if "Statement of truth" in page)
    assert "For the solicitor: check against the current form" in signed
