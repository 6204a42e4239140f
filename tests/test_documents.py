"""The documents of the Jane Smith sample, read back from the real .docx files."""

from __future__ import annotations

import re

import yaml

from harassment_pack.case import load_case
from harassment_pack.law import dated, load_law
from harassment_pack.order_terms import build_terms

from .conftest import SAMPLES

# CPR PD 22 / PD 32 para 20.2 wording, copied from legal-reference §3.
STATEMENT_OF_TRUTH = (
    "I believe that the facts stated in this witness statement are true. I understand that "
    "proceedings for contempt of court may be brought against anyone who makes, or causes to be "
    "made, a false statement in a document verified by a statement of truth without an honest "
    "belief in its truth."
)

CASE = load_case(SAMPLES / "jane-smith")
LAW = load_law()


def test_every_applicable_document_is_built(jane_build):
    names = [d.name for d in jane_build.documents]
    assert names == [
        "chronology",
        "witness_statement",
        "supporting_statements",
        "injunction_application",
        "draft_order",
        "confidential_schedule",
        "claim_form",
        "court_letter",
        "solicitor_notes",
        "ofcom_report",
        "psd_complaint",
        "evidence_schedule",
        "next_steps",
    ]
    # The one document not prepared is the other court route's application, and it says why.
    assert [(d.name, why) for d, why in jane_build.skipped] == [
        (
            "fl401_application",
            "the court papers are for the harassment claim in the County Court instead",
        )
    ]
    for document in jane_build.documents:
        for suffix in (".docx", ".pdf"):
            path = jane_build.out_dir / f"{document.name}{suffix}"
            assert path.stat().st_size > 1000
            assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"


def test_every_document_says_it_is_a_draft_and_not_advice(jane_texts):
    for name, text in jane_texts.items():
        assert LAW["disclaimer"]["text"] in text, name
        assert "checked by a solicitor" in text, name


def test_chronology_lists_incidents_oldest_first_with_exact_words(jane_texts):
    text = jane_texts["chronology"]
    assert "Jane Smith" in text and "Mark Davies" in text
    numbers = re.findall(r"^C(\d+)$", text, flags=re.MULTILINE)
    assert [int(n) for n in numbers] == list(range(1, len(CASE.incidents) + 1))
    positions = [text.index(i.exact_words.splitlines()[0]) for i in CASE.incidents_in_order()
                 if i.exact_words]  # fmt: skip
    assert positions == sorted(positions), "incidents are not oldest first"
    assert "2 June 2026" in text and "22:41 (BST)" in text
    assert "(GMT)" in text, "winter incidents should show GMT"
    for item in CASE.evidence:
        assert item.label in text
    assert "JS/1 (line 2)" in text  # an imported message points to its line in the export
    for month in ("June 2026", "July 2026", "November 2026"):
        assert month in text


def test_witness_statement_follows_pd32(jane_texts):
    text = jane_texts["witness_statement"]
    court = CASE.injunction.court.upper()
    assert f"IN THE {court}" in text
    assert "Claim No. [to be given by the court]" in text
    lines = text.splitlines()
    # The date is the date of signing (PD 32 17.2), which only the witness can fill in.
    assert lines[:5] == ["Claimant", "J. Smith", "1st statement", "Exhibits JS/1\u2013JS/6",
                         "Date: [date of signing]"]  # fmt: skip
    assert "WITNESS STATEMENT OF JANE SMITH" in text
    # PD 32 18.1 particulars: name, residence, occupation, party, how it was prepared.
    assert "My name is Jane Smith." in text
    assert "My address is not given in this statement" in text  # kept confidential
    assert "Larkspur Road" not in text
    assert "My occupation is Payroll administrator." in text
    assert "I am the Claimant" in text
    assert "This statement was prepared by me" in text
    numbered = [int(m) for m in re.findall(r"^(\d+)\.\t", text, flags=re.MULTILINE)]
    assert numbered == list(range(1, len(numbered) + 1)) and len(numbered) > len(CASE.incidents)
    assert "marked JS/2" in text
    assert "On 02/06/2026 at 22:41 (BST): Mark sent me" in text  # dates in figures
    assert "My occupation is Payroll administrator." in text
    # An exhibit is described once, then named by its label; imported messages give the line.
    assert text.count('(WhatsApp "Export chat"') == 1
    assert "marked JS/1 at line 2 (WhatsApp" in text
    assert STATEMENT_OF_TRUTH in text
    assert LAW["statement_of_truth"]["witness"]["text"] == STATEMENT_OF_TRUTH
    assert "Signed:" in text and "Date:" in text
    assert "Why I have not given the Defendant notice" in text
    assert "full and frank disclosure" in text


def test_injunction_application_ticks_hra_box_and_gives_without_notice_reasons(jane_texts):
    text = jane_texts["injunction_application"]
    assert LAW["statutes"]["pha_s3"]["cite"] in text
    assert (
        f"issues under the {LAW['statutes']['hra_1998']['cite']}:  \u2612 Yes   \u2610 No" in text
    )
    assert "made without notice" in text and "full and frank" in text
    assert LAW["wording"]["by_himself_or_others"]["text"] in text
    assert "I believe that the facts stated in this application notice are true." in text
    for term in build_terms(CASE.injunction, True):
        assert term.text in text


NO_SPEECH = {"approach", "monitoring"}


def test_hra_box_is_no_when_nothing_restrains_publication(case_copy):
    from harassment_pack.case import save_case
    from harassment_pack.documents import BY_NAME
    from harassment_pack.documents.common import CaseView

    case = load_case(case_copy)
    case.injunction.orders = [o for o in case.injunction.orders if o.term in NO_SPEECH]
    save_case(case, case_copy)
    context = BY_NAME["injunction_application"].context(CaseView(load_case(case_copy), LAW))
    assert context["box"]["hra_yes"] == "\u2610" and context["box"]["hra_no"] == "\u2612"


def test_draft_order_has_penal_notice_first(jane_texts):
    text = jane_texts["draft_order"]
    assert text.lstrip().startswith("PENAL NOTICE")
    assert "MARK DAVIES" in text.split("\n", 3)[1]
    assert "Schedule A" in text


def test_ofcom_report_never_promises_action(jane_texts):
    text = jane_texts["ofcom_report"]
    assert LAW["wording"]["ofcom_no_individual"]["text"] in text
    assert "does not resolve individual complaints" in text
    assert not re.search(r"Ofcom will (act|remove|investigate|take)", text)
    for report in CASE.platform_reports:
        assert report.reference in text
    assert LAW["statutes"]["osa_2023_s21"]["short"] in text  # the unanswered X report
    assert LAW["statutes"]["osa_2023_s10"]["short"] in text


def test_psd_complaint_follows_checklist(jane_texts):
    text = jane_texts["psd_complaint"]
    report = CASE.police_reports[0]
    assert LAW["statutes"]["pra_2002_sch3"]["cite"] in text
    assert report.crime_reference in text
    assert report.force in text
    for contact in report.contacts:
        assert contact.what[:40] in text
    assert "Right 6:" in text and "Right 12:" in text
    # Contact instructions are given once: the adjustments already say no voicemail.
    assert text.count("voicemail") == 1 and "Please do not leave voicemails" in text
    assert text.count("Please contact me by email only") == 1
    # The police contacts: oldest first, each once, in the person's own words.
    rows = [line for line in text.splitlines() if line.startswith("I reported")]
    assert len(rows) == 1 and rows[0].startswith("I reported online.")
    # Stalking and a former partner: a risk assessment and an advocate are asked for.
    assert LAW["wording"]["psd_risk_assessment"]["text"] in text
    asks = LAW["wording"]["psd_risk_assessment"]
    both = f"{asks['advocate_domestic']} or {asks['advocate_stalking']}"
    assert asks["advocate"].format(who=both) in text
    assert dated(LAW["wording"]["psd_pcc_iopc"]) in text  # partly verified: with its date
    assert "Larkspur Road" not in text  # address kept confidential


def test_evidence_schedule_lists_every_exhibit_with_hash(jane_texts):
    text = jane_texts["evidence_schedule"]
    for item in CASE.evidence:
        assert item.label in text and item.sha256 in text


def test_next_steps_offers_help_that_fits(jane_texts):
    text = jane_texts["next_steps"]
    helplines = LAW["helplines"]
    assert helplines["revenge_porn_helpline"]["tel"] in text  # a threat to share images
    assert helplines["national_stalking_helpline"]["tel"] in text
    assert helplines["iwf"]["name"] not in text  # only for child sexual abuse material
    assert "\u00a3" in text and "EX160" in text
    assert "Court bundle (court-bundle.pdf)" in text and "File this, not pack.pdf" in text


def test_legal_wording_in_templates_comes_from_data():
    """Templates hold layout only: no statute, form or helpline is typed into them."""
    from harassment_pack.build import default_templates_dir

    from .conftest import docx_text

    facts = yaml.safe_load(
        (SAMPLES.parent / "src/harassment_pack/law/facts.yaml").read_text(encoding="utf-8")
    )
    for template in default_templates_dir().glob("*.docx"):
        text = docx_text(template)
        for statute in facts["statutes"].values():
            assert statute["cite"] not in text, (template.name, statute["cite"])
        assert "Act 19" not in text and "Act 20" not in text, template.name
        assert not re.search(r"\b0\d{3} ?\d{3} ?\d{3,4}\b", text), template.name


def test_long_months_are_split_into_tables_of_at_most_100_rows():
    from datetime import UTC, datetime, timedelta

    from harassment_pack.case import Applicant, Case, Incident
    from harassment_pack.documents import chronology
    from harassment_pack.documents.common import CaseView

    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    case = Case(
        applicant=Applicant(full_name="Alex Example"),
        incidents=[
            Incident(id=f"i{n}", when=start + timedelta(minutes=n), platform="X", summary="m")
            for n in range(250)
        ],
    )
    months = chronology.build(CaseView(case, LAW))["months"]
    assert [m["title"] for m in months] == [
        "March 2026", "March 2026 (continued)", "March 2026 (continued)"
    ]  # fmt: skip
    assert [len(m["rows"]) for m in months] == [100, 100, 50]
    assert months[2]["rows"][-1]["number"] == "C250"
    assert not any(m["new_page"] for m in months)  # a short chronology runs on


def test_a_long_chronology_starts_each_month_after_the_first_on_a_new_page(monkeypatch):
    from datetime import UTC, datetime, timedelta

    from harassment_pack.case import Applicant, Case, Incident
    from harassment_pack.documents import chronology
    from harassment_pack.documents.common import CaseView

    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    case = Case(
        applicant=Applicant(full_name="Alex Example"),
        incidents=[
            Incident(id=f"i{n}", when=start + timedelta(hours=7 * n), platform="X", summary="m")
            for n in range(300)
        ],
    )
    monkeypatch.setattr(chronology, "NEW_PAGE_INCIDENTS", 300)
    months = chronology.build(CaseView(case, LAW))["months"]
    assert [(m["title"], m["new_page"]) for m in months] == [
        ("March 2026", False), ("March 2026 (continued)", False), ("April 2026", True),
        ("April 2026 (continued)", False), ("May 2026", True),
    ]  # fmt: skip
    monkeypatch.setattr(chronology, "NEW_PAGE_INCIDENTS", 301)
    assert not any(m["new_page"] for m in chronology.build(CaseView(case, LAW))["months"])


def test_psd_complaint_cites_victims_code_rights_as_current_only_inside_their_window(jane_texts):
    """The build date is compared with the window in which the Code the rights come from is known
    to be in operation (law data): inside, the rights are cited as current; outside, the police
    are asked to apply the Code in force now."""
    from datetime import timedelta

    from harassment_pack.documents import BY_NAME
    from harassment_pack.documents.common import CaseView

    confirmed = LAW["statutes"]["victims_code"]["edition"]["confirmed_current_on"]
    complaint = BY_NAME["psd_complaint"]
    inside = complaint.context(CaseView(CASE, LAW, today=confirmed))["rights_intro"]
    outside = complaint.context(CaseView(CASE, LAW, today=confirmed + timedelta(days=1)))
    cite = LAW["statutes"]["victims_code"]["cite"]
    assert inside == f"Under the {cite}, I have these rights:"
    assert "I have these rights" not in outside["rights_intro"]
    assert "A new Victims' Code may have replaced it since" in outside["rights_intro"]
    # The sample is built on 24 November 2026, after the last confirmation (1 June 2026).
    text = " ".join(jane_texts["psd_complaint"].split())
    assert outside["rights_intro"] in text and "Right 12:" in text


def test_a_five_or_six_character_row_number_stays_on_one_line(tmp_path):
    """From C1000 on (a chronology of a thousand incidents or more) the row number still fits
    the 'No.' column whole: 'C168' above '0' is what a reader saw at 10,000 incidents."""
    from datetime import UTC, datetime, timedelta

    from pypdf import PdfReader

    from harassment_pack.build import default_templates_dir
    from harassment_pack.case import Applicant, Case, Incident
    from harassment_pack.convert import convert_to_pdf
    from harassment_pack.documents import BY_NAME
    from harassment_pack.documents.common import CaseView
    from harassment_pack.render import render_docx

    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    case = Case(
        applicant=Applicant(full_name="Alex Example"),
        incidents=[
            Incident(id=f"i{n}", when=start + timedelta(hours=n), platform="X", summary="m")
            for n in range(3)
        ],
    )
    context = BY_NAME["chronology"].context(CaseView(case, LAW))
    numbers = ["C1680", "C9999", "C10000"]
    for row, number in zip(context["months"][0]["rows"], numbers, strict=True):
        row["number"] = number
    docx = render_docx(
        default_templates_dir() / "chronology.docx", context, tmp_path / "chronology.docx"
    )
    (pdf,) = convert_to_pdf([docx], tmp_path / "pdf", processes=1)
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    lines = [line.strip() for line in text.splitlines()]
    for number in numbers:
        assert any(line.startswith(number) for line in lines), (number, lines)
