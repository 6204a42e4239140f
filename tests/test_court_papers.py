"""The PHA route's court papers on the sample and three variants: N16A box by box, the draft
order, statements of truth by signer, HRA s.12 only when speech is restrained, and no sentence
of the person's own in a form box."""

from __future__ import annotations

import re

import pytest

from harassment_pack.case import Case
from harassment_pack.law import load_data, load_law

from .variants import VARIANTS, render, variant

PAPERS = load_data("court_papers")
LAW = load_law()
FIRST_PERSON = re.compile(r"(?<![\w'])(?:I|I'm|I've|me|my|we|our)(?![\w'])")
BOXES = [f"({n}) " for n in range(1, 9)]


def _with(case: Case, **injunction) -> Case:
    data = case.model_dump()
    data["injunction"] = {**data["injunction"], **injunction}
    return Case.model_validate(data)


def _boxes(text: str) -> str:
    """The N16A's boxes (1) to (8): the part of the form that must hold no pasted sentence."""
    start = text.index("(1) The Claimant")
    return text[start : text.index("Documents filed with this application")]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, dict[str, str]]:
    out = {}
    for name in VARIANTS:
        folder = tmp_path_factory.mktemp(name)
        out[name] = render(variant(name), folder)
    return out


@pytest.mark.parametrize("name", VARIANTS)
def test_n16a_box_by_box_with_guidance_and_party_statement_of_truth(rendered, name):
    text = rendered[name]["injunction_application"]
    boxes = _boxes(text)
    positions = [boxes.index("\n" + box) for box in BOXES[1:]]
    assert boxes.startswith(BOXES[0]) and positions == sorted(
        positions
    )  # (1) … (8), one paragraph each, in order
    assert text.count(PAPERS["n16a"]["recipient_guidance"]) == 2  # top and court box
    assert PAPERS["statement_of_truth"]["party"].format(document="application notice") in text
    assert "The Claimant believes" not in text
    assert "Full name: Jane Smith" in text
    assert not FIRST_PERSON.search(boxes), FIRST_PERSON.search(boxes)
    # Her address is withheld: (8) says so instead of printing it.
    assert PAPERS["address_for_service"]["withheld"] in boxes
    assert "Larkspur" not in text


def test_statement_of_truth_by_a_legal_representative(tmp_path):
    rep = {
        "name": "Priya Shah",
        "firm": "Shah & Co Solicitors",
        "position": "Solicitor",
        "address": "10 Market Place, Reading RG1 2AB",
        "reference": "PS/123",
    }
    case = _with(variant("sample"), signed_by="legal_representative", legal_representative=rep)
    text = render(case, tmp_path)["injunction_application"]
    expected = PAPERS["statement_of_truth"]["legal_representative"].format(
        document="application notice"
    )
    assert expected in text and "I believe that the facts" not in text
    assert "Firm: Shah & Co Solicitors" in text and "Position or office held: Solicitor" in text
    assert "filed by the Solicitors for the Claimant, whose address for service is Shah & Co" in (
        text
    )
    assert "10 Market Place, Reading RG1 2AB (ref. PS/123)" in text


def test_hra_box_recitals_and_statement_paragraphs_when_speech_is_restrained(rendered):
    texts = rendered["sample"]
    assert f"{LAW['statutes']['hra_1998']['cite']}:  \u2612 Yes" in texts["injunction_application"]
    order = texts["draft_order"]
    assert PAPERS["order"]["hra_recital_notice"] in order  # without notice: s.12(2)
    assert PAPERS["order"]["hra_recital_likely"] in order  # s.12(3)
    statement = texts["witness_statement"]
    hra = PAPERS["witness_hra"]
    assert hra["heading"] in statement and hra["notice_without"] in statement
    assert hra["likely"] in statement


def test_no_hra_anything_when_no_term_restrains_speech(tmp_path):
    case = variant("colleague")
    orders = [
        o.model_dump() for o in case.injunction.orders if o.term in {"approach", "monitoring"}
    ]
    texts = render(_with(case, orders=orders), tmp_path)
    assert (
        f"{LAW['statutes']['hra_1998']['cite']}:  \u2610 Yes   \u2612 No"
        in (texts["injunction_application"])
    )
    assert "Human Rights Act" not in texts["draft_order"]
    assert PAPERS["witness_hra"]["heading"] not in texts["witness_statement"]


def test_on_notice_order_has_no_return_date(tmp_path):
    texts = render(_with(variant("stranger"), without_notice=False), tmp_path)
    order = texts["draft_order"]
    assert PAPERS["order"]["duration_on_notice"] in order
    assert "return date" not in order
    assert PAPERS["order"]["hra_recital_notice"] not in order  # notice was given
    assert PAPERS["order"]["hra_recital_likely"] in order


@pytest.mark.parametrize("name", VARIANTS)
def test_draft_order_complete(rendered, name):
    order = rendered[name]["draft_order"]
    rules = PAPERS["order"]
    assert order.lstrip().startswith("PENAL NOTICE")
    assert rules["harassment_recital"] in order
    assert "reading the first witness statement of Jane Smith dated [date of signing]" in order
    assert rules["duration_without_notice"] in order and "return date" in order
    assert rules["liberty_to_apply"] in order
    assert "email to mark.davies86@example.com" in order  # alternative service
    assert "any member of the Claimant's family, or her employer" in order  # third parties
    assert "Schedule A" in order and "Schedule B" in order
    # Exclusion zones name the confidential schedule, never her address.
    assert "the address in the confidential schedule" in order
    assert "Larkspur" not in order and "RG2 8QJ" not in order


@pytest.mark.parametrize("name", VARIANTS)
def test_removal_preserves_evidence_and_never_deletes(rendered, name):
    order = rendered[name]["draft_order"]
    assert "first make and keep a complete copy of it" in order
    assert "then remove it from public view" in order
    assert "he operates or controls" in order
    assert "not publish it, or any part of it, again" in order
    assert not re.search(r"\bdelet", order, re.IGNORECASE)
    steps = rendered[name]["next_steps"]
    assert "capture it first" in steps and "ask the platform in writing to keep" in steps


def test_pasted_sentences_never_reach_a_form_box(tmp_path):
    case = variant("former_partner")
    data = case.model_dump()
    data["respondents"][0]["address"] = "I think he is staying at his mum's in Bradford"
    data["injunction"]["service_address"] = None
    data["injunction"]["orders"] = [
        {"text": "Stop contacting me on WhatsApp"},
        {"text": "I think he should just leave me alone?"},
        {"kind": "mandatory", "text": "delete the posts he made about me"},
        {"term": "contact", "exception": "my car loan"},
    ]
    texts = render(Case.model_validate(data), tmp_path)
    application, order = texts["injunction_application"], texts["draft_order"]
    assert "from:\na) contacting the Claimant on WhatsApp" in application
    assert "is forbidden (" in order and "from contacting the Claimant on WhatsApp." in order
    assert "by email solely about the Claimant's car loan" in order
    boxes = _boxes(application)
    assert not FIRST_PERSON.search(boxes), FIRST_PERSON.search(boxes)
    for words in ("Stop contacting", "leave me alone", "delete the posts", "staying at his mum"):
        assert words not in application and words not in order
    assert "[a term to be drafted by a solicitor from the applicant's note 2]" in application
    assert "[the Defendant's address for service: to be confirmed]" in boxes
    # How she knows him is never in a form box; the notes go to her solicitor, not the court.
    assert "ex-boyfriend" not in application and "ex-boyfriend" not in order
    steps = texts["next_steps"]
    assert (
        "leave me alone" in steps and "staying at his mum" in steps and "delete the posts" in steps
    )
