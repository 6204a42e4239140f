"""Every sentence of a letter in the voice of whoever sends it.

A letter written for her by a firm of solicitors speaks as the firm ("we", "us", "our client"),
one written by an adviser or advocate in the first person ("me", "my client"), and her own
letter as herself ("me"). Her own account, in the middle of the police complaint and the Ofcom
report, is hers ("From here on, “I” and “me” are our client …"); the closing after it (what is
enclosed, the requests, the signature) is the sender's again, and says so. Each letter is built
in each voice with the real LibreOffice and the sender's own parts of the PDF are scanned for a
pronoun of the wrong voice.
"""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.case import Case, load_case, save_case
from harassment_pack.law import dated, load_data, load_law

from .conftest import SAMPLES, TODAY, copy_sample
from .test_chosen_route import SOLICITOR

ADVISER = {
    **SOLICITOR,
    "solicitor": False,
    "name": "Alex Morgan",
    "role": "IDVA",
    "organisation": "Berkshire Women's Aid",
}
REPRESENTATIVE = {"self": None, "firm": SOLICITOR, "adviser": ADVISER}
LETTERS = ["psd_complaint", "ofcom_report", "court_letter"]
WORDS = load_data("letters")["sender_voice"]
WORDING = load_law()["wording"]

WRONG = {
    "firm": re.compile(r"\bI\b|\b(?i:me|my|mine|myself)\b"),
    "adviser": re.compile(r"\b(?i:we|us|our|ours|ourselves)\b"),
    "self": re.compile(r"\b(?i:we|us|our|ours|ourselves|client)\b"),
}
"""A pronoun that belongs to another voice than the sender's."""
RIGHT = {
    "firm": re.compile(r"\b(?i:we|us|our client)\b"),
    "adviser": re.compile(r"\bI\b|\b(?i:me|my client)\b"),
    "self": re.compile(r"\bI\b|\b(?i:me|my)\b"),
}


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> dict[str, dict[str, str]]:
    """The sample's letters sent by her, by her solicitors and by her adviser: voice → letter
    → the PDF's text on one line, and the text of its last page."""
    out: dict[str, dict[str, str]] = {}
    for voice, representative in REPRESENTATIVE.items():
        folder = tmp_path_factory.mktemp(voice) / "jane-smith"
        copy_sample(SAMPLES / "jane-smith", folder)
        data = load_case(folder).model_dump()
        data["representative"] = representative
        save_case(Case.model_validate(data), folder)
        result = build_case(folder, folder.parent / "out", today=TODAY, only=LETTERS)
        out[voice] = {}
        for name in LETTERS:
            pages = [
                page.extract_text() for page in PdfReader(result.out_dir / f"{name}.pdf").pages
            ]
            out[voice][name] = _one_line(" ".join(pages))
            out[voice][f"{name}:last page"] = _one_line(pages[-1])
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _unquoted(text: str) -> str:
    """Without quoted words (hers, Ofcom's), which keep their own pronouns."""
    return re.sub("\u201c[^\u201d]*\u201d", "\u201c\u201d", text)


def _senders_parts(voice: str, name: str, text: str) -> dict[str, str]:
    """The parts of a letter in the sender's own voice: before her account starts, and the
    closing after it ends. Her own letter is hers throughout; so is the covering letter to the
    court unless a solicitor sends it (an adviser is not on the court papers)."""
    if name == "court_letter":
        return {"body": text.split("Dear Court Manager,")[1]}
    account = "From here on," if voice != "self" else "2. "
    if name == "psd_complaint":
        return {
            "opening": text.split("Dear Professional Standards Department,")[1].split(account)[0],
            "closing": text.split("8. Documents enclosed")[1],
        }
    heading = WORDS[voice]["ask_heading"]
    return {
        "opening": text.split("1. Who is sending this information")[1].split(account)[0],
        "closing": text.split(f" {heading} ")[1],
    }


@pytest.mark.parametrize("voice", REPRESENTATIVE)
@pytest.mark.parametrize("name", LETTERS)
def test_the_senders_own_sentences_are_in_the_senders_voice(letters, voice, name):
    court_voice = "firm" if voice == "firm" else "self"
    expected = court_voice if name == "court_letter" else voice
    for part, text in _senders_parts(voice, name, letters[voice][name]).items():
        words = _unquoted(text)
        wrong = WRONG[expected].search(words)
        if wrong is not None:
            where = words[max(0, wrong.start() - 80) : wrong.end() + 40]
            pytest.fail(f"{voice} {name} {part}: {wrong.group(0)!r} in …{where}…")
        assert RIGHT[expected].search(words), f"{voice} {name} {part}: {words[:200]}"


@pytest.mark.parametrize("voice", ["firm", "adviser"])
def test_her_account_ends_before_the_closing_and_the_closing_says_whose_it_is(letters, voice):
    words = WORDS[voice]
    end = words["account_end"].format(writer=REPRESENTATIVE[voice]["name"])
    psd, ofcom = letters[voice]["psd_complaint"], letters[voice]["ofcom_report"]
    # Her account is handed over and handed back once in each letter, the closing after it.
    for letter, closing in ((psd, "8. Documents enclosed"), (ofcom, words["ask_heading"])):
        assert letter.count("From here on,") == 1 and letter.count(end) == 1
        assert letter.index("From here on,") < letter.index(end) < letter.index(closing)
    closing = psd.split("8. Documents enclosed")[1]
    assert f"{words['evidence']} (Exhibits JS/1\u2013JS/6)" in closing
    assert _one_line(WORDING["psd_review"][f"letter_{voice}"]) in closing
    # The PCC/IOPC line is partly verified: in every voice it carries its checked date.
    pcc = WORDING["psd_pcc_iopc"]
    assert _one_line(dated(pcc, pcc[f"text_{voice}"])) in closing
    assert words["no_reply"] in ofcom.split(words["ask_heading"])[1]


def test_her_own_letters_close_in_her_voice_unchanged(letters):
    psd, ofcom = letters["self"]["psd_complaint"], letters["self"]["ofcom_report"]
    closing = psd.split("8. Documents enclosed")[1]
    assert "Copies of my evidence (Exhibits JS/1\u2013JS/6)" in closing
    assert _one_line(WORDING["psd_review"]["letter"]) in closing
    assert _one_line(dated(WORDING["psd_pcc_iopc"])) in closing
    assert "What I am asking" in ofcom and "I do not expect a reply." in ofcom
    assert "own account ends here" not in psd + ofcom


@pytest.mark.parametrize("voice", REPRESENTATIVE)
@pytest.mark.parametrize("name", LETTERS)
def test_the_signature_never_stands_alone_on_the_last_page(letters, voice, name):
    """The closing request, the signature (and the Ofcom report's date) share the last page."""
    last = letters[voice][f"{name}:last page"]
    signer = (REPRESENTATIVE[voice] or {"name": "Jane Smith"})["name"]
    if name == "court_letter" and voice == "adviser":
        signer = "Jane Smith"  # an adviser is not on the court papers: she sends it herself
    request = {
        "psd_complaint": "may also send this complaint to the local policing body",
        "court_letter": "This letter is for the court only",
        "ofcom_report": WORDS[voice]["no_reply"],
    }[name]
    assert request in last and signer in last, f"{voice} {name}: last page {last[:300]!r}"
    assert last.index(request) < last.rindex(signer)
