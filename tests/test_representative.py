"""A solicitor or advocate acting for the applicant: asked in a real terminal, kept in the case
file, and the letters then come from them, on the applicant's behalf, with consent stated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.case import Representative, load_case, save_case
from harassment_pack.law import load_law
from harassment_pack.law.checks import check_case

from .conftest import SAMPLES, TODAY, copy_sample
from .test_interview_pty import ANSWERS_BEFORE_INCIDENTS, UP, Terminal

ALEX = {
    "acting": True,
    "name": "Alex Morgan",
    "role": "Independent domestic violence adviser",
    "organisation": "Berkshire Women's Aid",
    "address": "PO Box 1234\nReading RG1 1AA",
    "email": "alex.morgan@example.org",
    "phone": "0118 496 0000",
    "reference": "AM/4471",
    "authority": True,
}


def _jane_with(tmp_path: Path, **changes) -> Path:
    case_dir = tmp_path / "jane"
    copy_sample(SAMPLES / "jane-smith", case_dir)
    case = load_case(case_dir)
    case.representative = Representative(**{**ALEX, **changes})
    save_case(case, case_dir)
    return case_dir


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> dict[str, str]:
    """The Ofcom report and the PSD complaint sent by Alex Morgan, and the covering letter to
    the court, through real LibreOffice."""
    tmp = tmp_path_factory.mktemp("rep")
    only = ["ofcom_report", "psd_complaint", "court_letter"]
    result = build_case(_jane_with(tmp), tmp / "out", only=only, today=TODAY)
    return {d.name: _pdf_text(result.out_dir / f"{d.name}.pdf") for d in result.documents}


def test_letters_come_from_the_representative_on_behalf_of_the_applicant(letters):
    assert set(letters) == {"ofcom_report", "psd_complaint", "court_letter"}
    # An adviser is not her solicitor: the covering letter to the court stays hers.
    court = " ".join(letters.pop("court_letter").split())
    assert "I am the Claimant in this case." in court and "Alex Morgan" not in court
    for text in letters.values():
        flat = " ".join(text.split())
        assert "Alex Morgan" in flat
        # An adviser writes in the first person, names her once, then "my client".
        assert (
            "I am writing on behalf of Jane Smith, who has given me authority to act in this "
            "matter and to receive correspondence about it, and who consents to this being sent."
            in flat
        )
        assert (
            "\u201cI\u201d and \u201cme\u201d are my client, Jane Smith, whose own account" in flat
        )
        assert "We act" not in flat and "our client" not in flat
        assert "Jane Smith\u2019s" not in flat  # never her full name again and again
        assert "alex.morgan@example.org, 0118 496 0000" in flat
        # Replies go to the representative: the applicant's own contacts are only given to the
        # police, for when they need to speak to her.
        own = flat.count("jane.smith.safe@example.com, 07700 900481")
        assert own == (1 if "Professional Standards" in flat else 0)
    psd = " ".join(letters["psd_complaint"].split())
    assert psd.index("Alex Morgan") < psd.index("Professional Standards Department")
    for line in (
        "Berkshire Women's Aid",
        "PO Box 1234",
        "Reading RG1 1AA",
        "Our reference: AM/4471",
    ):
        assert line in psd
    assert "Complaint made on behalf of Jane Smith about the police response" in psd
    assert "Please write to me about this complaint, not to my client: alex.morgan@" in psd
    assert (
        "If you need to contact my client directly (jane.smith.safe@example.com, 07700 900481), "
        "please do so by email only." in psd
    )
    assert "I am making this complaint on my client\u2019s behalf under" in psd
    assert "The complaint is about the service my client has received" in psd
    assert "About my client and safe contact" in psd
    assert "Adjustments my client needs, as they were put to me:" in psd
    # Before her account begins, "I" is the adviser's: nothing of hers is said in it.
    opening = psd.split("From here on")[0].split("Dear Professional Standards Department,")[1]
    assert not re.search(r"\b(my reports|I have received|my evidence)\b", opening)
    assert (
        "Yours faithfully, Alex Morgan Independent domestic violence adviser, Berkshire "
        "Women's Aid On behalf of Jane Smith" in psd
    )
    assert "Please do not leave voicemails" in psd  # said once, in the adjustments
    ofcom = " ".join(letters["ofcom_report"].split())
    assert (
        "Alex Morgan (Independent domestic violence adviser, Berkshire Women's Aid). Contact: "
        "alex.morgan@example.org" in ofcom
    )
    assert "content directed at Jane Smith" in ofcom


def test_without_authority_the_letters_stay_the_applicants_and_check_says_why(tmp_path):
    case_dir = _jane_with(tmp_path, authority=False, address=None)
    case = load_case(case_dir)
    assert case.representative is not None and case.acting_representative is None
    report = check_case(case, load_law(), TODAY).to_text(colour=False, width=200)
    assert "Alex Morgan: details missing" in report
    assert "Your letters come from you, not from them, until this is added" in report
    assert "Missing: that you have given them authority to act for you" in report
    assert "Missing: an address for letters to them" in report
    result = build_case(case_dir, tmp_path / "out", only=["psd_complaint"], today=TODAY)
    psd = " ".join(_pdf_text(result.out_dir / "psd_complaint.pdf").split())
    assert "Alex Morgan" not in psd
    assert "Complaint about the police response to my reports of harassment" in psd
    assert "Jane Smith. Contact: jane.smith.safe@example.com" in psd


def test_the_representative_branch_in_a_real_terminal(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(ANSWERS_BEFORE_INCIDENTS), encoding="utf-8")
    case_dir = tmp_path / "case"
    Terminal("new", str(case_dir), "--answers", str(answers)).finish()

    t = Terminal("interview", str(case_dir), "--section", "about_you")
    for prompt in ("What is your full name", "living"):
        t.type(prompt, "")  # Enter keeps what is there
    t.pick("keep your address")
    for prompt in (r"address \(without", "postcode", "email address is safe",
                   "phone number is safe", "How is it safe"):  # fmt: skip
        t.type(prompt, "")
    t.pick("voicemail")
    t.type("must not learn", "")  # nothing private to add here
    t.pick("acting for you", UP)  # the default is No: up to Yes
    t.type("What is their name", "Alex Morgan")
    t.type("What is their role", "Solicitor")
    t.pick("solicitor acting for you in the court case", UP * 2)  # unanswered: from Skip to Yes
    t.type("organisation or firm", "Example Law LLP")
    t.type("letters to them be sent", "1 High Street\nReading RG1 2AB\n")  # empty line ends it
    t.type("their email address", "alex.morgan@example.org")
    t.type("their phone number", "0118 496 0000")
    t.type("reference number for your case", "EL/77")
    t.pick("agreed that they can act", UP * 2)  # --section starts on "Skip" when unanswered
    t.pick("What would you like to do now", UP)  # the last choice: stop here
    assert t.finish() == 0

    rep = load_case(case_dir).representative
    assert rep == Representative(
        acting=True, name="Alex Morgan", role="Solicitor", organisation="Example Law LLP",
        address="1 High Street\nReading RG1 2AB", email="alex.morgan@example.org",
        phone=rep.phone, reference="EL/77", authority=True, solicitor=True,
    )  # fmt: skip
    assert rep.phone and rep.phone.replace(" ", "") == "01184960000"
    # One record: the letters come from her, and the court papers name her as the solicitor.
    assert load_case(case_dir).acting_representative == rep
    assert load_case(case_dir).legal_representative == rep
