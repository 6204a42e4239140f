"""The PHA route's court papers on the sample and three variants: N16A box by box, the draft
order, statements of truth by signer, HRA s.12 only when speech is restrained, and no sentence
of the person's own in a form box."""

from __future__ import annotations

import re

import pytest

from harassment_pack.case import Case
from harassment_pack.errors import UserError
from harassment_pack.law import load_data, load_law
from harassment_pack.law.routes import load_routes

from .conftest import copy_sample
from .variants import JANE_DIR, VARIANTS, render, variant

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


SOLICITOR = {
    "acting": True, "solicitor": True, "authority": True, "name": "Priya Shah",
    "organisation": "Shah & Co Solicitors", "role": "Solicitor",
    "address": "10 Market Place, Reading RG1 2AB", "reference": "PS/123",
}  # fmt: skip


def _represented(case: Case, **representative) -> Case:
    """The case with a solicitor acting: the one representative every document reads."""
    data = case.model_dump()
    data["representative"] = {**SOLICITOR, **representative}
    data["injunction"]["signed_by"] = "legal_representative"
    return Case.model_validate(data)


def test_statement_of_truth_by_a_legal_representative(tmp_path):
    texts = render(_represented(variant("sample")), tmp_path)
    text = texts["injunction_application"]
    expected = PAPERS["statement_of_truth"]["legal_representative"].format(
        document="application notice"
    )
    assert expected in text and "I believe that the facts" not in text
    # PD 22 paras 3.7-3.8: the client's belief, the signer's capacity and firm; the signature
    # itself says the client authorised it, so no "duly authorised" sentence.
    assert expected.startswith("The Claimant believes") and "duly authorised" not in text
    assert "Firm: Shah & Co Solicitors" in text and "Position or office held: Solicitor" in text
    assert "filed by the Solicitors for the Claimant, whose address for service is Shah & Co" in (
        text
    )
    assert "10 Market Place, Reading RG1 2AB (ref. PS/123)" in text
    # The same one record in the other court papers: the covering letter comes from the firm.
    letter = texts["court_letter"]
    assert "Shah & Co Solicitors" in letter and "Priya Shah" in letter
    assert "We act for the Claimant, Jane Smith." in letter  # in the firm's voice, not hers
    assert "for the reasons given in our client's witness statement" in letter
    assert "The first witness statement of Jane Smith dated" in letter  # her name as written
    assert "and the supporting witness statement of Claire Smith" in letter  # one witness


def test_an_adviser_who_is_not_a_solicitor_sends_letters_but_is_not_on_the_court_papers(
    tmp_path,
):
    case = _represented(variant("sample"), solicitor=False, name="Alex Morgan",
                        organisation="Berkshire Women's Aid", role="IDVA")  # fmt: skip
    assert case.acting_representative and case.legal_representative is None
    text = render(case, tmp_path)["injunction_application"]
    assert "Berkshire Women's Aid" not in text and "Alex Morgan" not in text
    assert "[name of the solicitor signing]" in text  # signed_by asks for one: left to fill
    assert PAPERS["address_for_service"]["withheld"] in text


def test_an_old_case_file_with_the_solicitor_under_the_injunction_still_loads(tmp_path):
    """Issue 9 kept the solicitor twice; the old field is read into the one representative."""

    import yaml

    from harassment_pack.case import load_case, save_case

    case_dir = tmp_path / "jane"
    copy_sample(JANE_DIR, case_dir)
    data = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    data.pop("representative", None)
    data["injunction"]["signed_by"] = "legal_representative"
    data["injunction"]["legal_representative"] = {
        "name": "Priya Shah", "firm": "Shah & Co Solicitors", "position": "Partner",
        "address": "10 Market Place, Reading RG1 2AB", "reference": "PS/123",
    }  # fmt: skip
    (case_dir / "case.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    case = load_case(case_dir)
    rep = case.legal_representative
    assert rep is not None and (rep.name, rep.organisation, rep.role) == (
        "Priya Shah", "Shah & Co Solicitors", "Partner")  # fmt: skip
    # The old field was for the court papers only: letters still come from her, as before.
    assert not rep.authority and case.acting_representative is None
    save_case(case, case_dir)  # saved in the new place: nothing under the injunction
    saved = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    assert "legal_representative" not in saved["injunction"]
    assert saved["representative"]["organisation"] == "Shah & Co Solicitors"
    assert load_case(case_dir).legal_representative == rep
    # Two different people in the two places: refused in one line, so neither is lost.
    data["representative"] = {"acting": True, "name": "Alex Morgan", "authority": True}
    (case_dir / "case.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(UserError) as error:
        load_case(case_dir)
    message = str(error.value)
    assert "\n" not in message and "two different people" in message
    assert "Alex Morgan" in message and "Priya Shah" in message


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
    assert "capture it first" in steps and "write to the platform asking it to keep them" in steps


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


@pytest.mark.parametrize("name", VARIANTS)
def test_n208_claim_form_content(rendered, name):
    text = rendered[name]["claim_form"]
    rules = PAPERS["n208"]
    for part in (rules["part8_rule"], rules["question"], rules["injunction_remedy"]):
        assert part in text
    assert rules["damages_remedy"] in text  # damages under s.3(2), with heads of loss
    assert "Fear for the Claimant's safety at home and at work" in text  # anxiety
    assert "Cost of a video doorbell and extra locks" in text  # financial loss
    assert text.index("Anxiety and distress") < text.index("Financial loss resulting")
    assert PAPERS["statement_of_truth"]["party"].format(document="claim form") in text
    # A statement of case in the third person: no first-person sentence outside the signature.
    body = text[text.index("Details of claim") : text.index("Statement of truth")]
    assert not FIRST_PERSON.search(body), FIRST_PERSON.search(body)
    assert "16 incidents attributed to him" in text  # the Google sign-in is not his
    assert "ex-boyfriend" not in text and "in accounts" not in text


def test_n208_signed_by_a_solicitor_and_without_damages(tmp_path):
    case = _represented(variant("colleague"), organisation="Shah & Co", role=None)
    case = Case.model_validate({**case.model_dump(), "wishes": {"damages": False}})
    text = render(case, tmp_path)["claim_form"]
    expected = PAPERS["statement_of_truth"]["legal_representative"].format(document="claim form")
    assert expected in text
    assert PAPERS["n208"]["damages_remedy"] not in text
    assert "The Defendant knows the Claimant through work." in text


def test_court_bundle_order_and_the_letter_stays_out(jane_build):
    from pypdf import PdfReader

    reader = PdfReader(jane_build.court_bundle.path)
    top = [item.title.rsplit(" (p.", 1)[0] for item in reader.outline if not isinstance(item, list)]
    assert top == [
        "Cover", "Index", "Application for an injunction (N16A)", "Draft order (injunction)",
        "Claim form N208 (Part 8) and details of claim", "Witness statement (draft)",
        "Supporting witness statements (drafts)", "Exhibits",
        "Harassment chronology", "Evidence schedule",
    ]  # fmt: skip
    assert "Covering letter" not in "".join(page.extract_text() for page in reader.pages[:2])
    assert (jane_build.out_dir / "court_letter.pdf").is_file()
    assert (jane_build.out_dir / "draft_order.docx").is_file()  # the Word copy for the judge


def test_covering_letter_asks_for_urgent_listing_and_confidentiality(rendered, tmp_path):
    letter = rendered["sample"]["court_letter"]
    voice = PAPERS["covering_letter"]["applicant"]  # she sends it herself
    assert voice["urgent"].format(other="Defendant") in letter
    assert "keep it from him" in letter and "please do not serve it" in letter
    on_notice = render(_with(variant("colleague"), without_notice=False), tmp_path)
    assert voice["on_notice"].format(other="Defendant") in on_notice["court_letter"]


def test_for_filing_drops_the_draft_marking_only_from_court_documents():
    from harassment_pack.documents import BY_NAME
    from harassment_pack.documents.common import CaseView

    case = variant("sample")
    for filing, marked in ((False, True), (True, False)):
        view = CaseView(case, LAW, for_filing=filing)
        for name in ("injunction_application", "draft_order", "claim_form", "witness_statement"):
            context = BY_NAME[name].context(view)
            assert bool(context["draft_notice"]) is marked and bool(context["disclaimer"]) is marked
        assert BY_NAME["next_steps"].context(view)["draft_notice"]  # never for filing


def test_for_filing_render_has_no_banner(tmp_path):
    from harassment_pack.build import default_templates_dir
    from harassment_pack.documents import BY_NAME, Templates
    from harassment_pack.documents.common import CaseView
    from harassment_pack.render import render_docx

    from .conftest import docx_text

    view = CaseView(variant("sample"), LAW, for_filing=True)
    document = BY_NAME["injunction_application"]
    out = tmp_path / "a.docx"
    render_docx(Templates(default_templates_dir()).path(document), document.context(view), out)
    text = docx_text(out)
    assert "DRAFT" not in text and "checked by a solicitor" not in text
    assert PAPERS["n16a"]["recipient_guidance"] in text


def test_for_filing_needs_a_confirmation(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    exe = str(Path(sys.executable).with_name("harassment-pack"))
    result = subprocess.run(
        [exe, "build", str(JANE_DIR), "-o", str(tmp_path / "out"), "--for-filing"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--checked" in result.stderr
    assert not (tmp_path / "out").exists()


def test_fl401_route_for_a_former_partner_never_lived_with(tmp_path):
    """Without a chosen route, an associated person gets the family court's papers."""
    case = _with(variant("former_partner"), route=None)
    texts = render(case, tmp_path)
    assert "fl401_application" in texts
    for civil in ("injunction_application", "draft_order", "claim_form"):
        assert civil not in texts
    form = texts["fl401_application"]
    rules = PAPERS["fl401"]
    # The sections of form FL401 (07.21), in order.
    headings = [p["heading"] for p in rules["parts"]]
    positions = [form.index(f"\n{heading}\n") for heading in headings]
    assert positions == sorted(positions)
    assert "Not given here: see form C8" in form and "Larkspur" not in form  # confidential
    # The category she chose, in the family court's terms; never her own description.
    assert "The Applicant and the Respondent were in an intimate relationship" in form
    assert "s.62(3)(ea)" in form and "ex-boyfriend" not in form
    assert "from:\na) contacting or attempting to contact the Applicant" in form
    assert "Claimant" not in form and "Defendant" not in form
    assert PAPERS["family_statement_of_truth"]["fl401_applicant"] in form
    assert rules["no_self_service"] in form
    situation = next(part for part in rules["parts"] if part["id"] == "situation")
    for option in situation["reason_options"]:
        assert option in form
    assert "Taking material down" in form  # the removal term is left to the solicitor
    statement = texts["witness_statement"]
    assert "I am the Applicant in this application" in statement
    assert "FAMILY COURT AT [HEARING CENTRE]" in statement
    assert "Why the order should be made without notice (Family Law Act 1996, section 45)" in (
        statement
    )
    assert PAPERS["family_statement_of_truth"]["witness"] in statement
    assert "Defendant" not in statement
    letter = texts["court_letter"]
    assert "Form C8" in letter and "please do not serve it on the Respondent" in letter
    # The solicitor's note lists the family court's partly verified wording (its statements of
    # truth) under each family-court paper that uses it, with the month it was checked.
    from harassment_pack.documents import DOCUMENTS

    note = texts["solicitor_notes"].split("\n")
    titles = {d.title for d in DOCUMENTS}
    truth = PAPERS["family_statement_of_truth"]
    assert truth["status"] == "partly_verified" and truth["checked"].month == 12
    listed = f"{truth['label']} (checked December 2026)."
    for title in ("Witness statement (draft)", "Application for a non-molestation order (FL401)"):
        section = note[note.index(title) + 1 :]
        end = next(i for i, line in enumerate([*section, title]) if line in titles)
        assert listed in section[:end], title


def test_supporting_witness_statement_pd32(rendered):
    text = rendered["sample"]["supporting_statements"]
    assert "WITNESS STATEMENT OF CLAIRE SMITH" in text
    assert "C. Smith" in text and "1st statement" in text  # PD 32 top-right marking
    assert "I am the Claimant's sister (Jane Smith)." in text
    assert "I am not a party to this claim." in text
    assert "numbered C13 in the Claimant's chronology" in text
    assert LAW["statement_of_truth"]["witness"]["text"] in text
    assert "Full name: Claire Smith" in text


@pytest.mark.parametrize("name", VARIANTS)
def test_the_statement_says_how_she_knows_him_in_whole_sentences(rendered, name):
    """Her answer to "How do you know them?" is never pasted after "my" ("my my ex-boyfriend",
    "my he works in the same office"): the category's sentence, then her words as her own."""
    statement = " ".join(rendered[name]["witness_statement"].split())
    respondent = variant(name).respondents[0]
    association = load_routes()["associations"][respondent.association]
    said = association["first_person"].format(respondent="Defendant")
    assert (said in statement) == respondent.known  # unknown: "I do not know who is …"
    relationship = respondent.relationship
    if relationship:
        assert f"How I know the Defendant, in my own words: {relationship}." in statement
    assert not re.search(r"\bmy (?:my|he|she|they|a|an|the|we)\b", statement, re.IGNORECASE)


def test_hra_paragraphs_follow_the_reasons_they_cite_and_list_only_published_material(rendered):
    statement = " ".join(rendered["sample"]["witness_statement"].split())
    hra = PAPERS["witness_hra"]
    # "for the reasons I give above": the reasons for no notice come first.
    assert statement.index("Why I have not given the Defendant notice") < statement.index(
        hra["notice_without"]
    )
    likely = statement[statement.index(hra["likely"]) : statement.index("Matters that may count")]
    # s.12(3) is about publication: posts, the fake account, the threat to publish photos; not
    # an insult or a threat sent only to her (C1, C5, C12), which the contact term covers.
    for posted in ("C4 (", "C7 (", "C8 (", "C10 (", "C11 (", "C16 ("):
        assert posted in likely
    for sent_to_her in ("C1 (", "C5 (", "C12 ("):
        assert sent_to_her not in likely


def test_the_documents_filed_keep_her_name_as_written(rendered):
    application = rendered["sample"]["injunction_application"]
    assert "The first witness statement of Jane Smith dated [date of signing]" in application
    assert "jane smith" not in application


@pytest.mark.parametrize("name", VARIANTS)
def test_the_police_complaint_asks_only_for_the_advocate_the_facts_fit(rendered, name):
    """An IDVA is for domestic abuse (a partner or relative): never asked for a stranger or a
    colleague; a stalking advocate wherever the conduct may be stalking (all four variants)."""
    text = rendered[name]["psd_complaint"]
    asks = LAW["wording"]["psd_risk_assessment"]
    domestic = name in ("sample", "former_partner")
    assert (asks["advocate_domestic"] in text) == domestic
    assert asks["advocate_stalking"] in text
    assert "as fits my case" not in text


def test_the_claim_forms_range_of_incidents_says_which_are_not_his(rendered):
    """'16 incidents … (C1 to C17)' would read as 17: the one not attributed to him (C9, the
    Google sign-in attempt by someone unknown) is named as left out."""
    text = " ".join(rendered["sample"]["claim_form"].split())
    assert "consisting of the 16 incidents attributed to him" in text
    assert "(C1 to C17, except C9)." in text
