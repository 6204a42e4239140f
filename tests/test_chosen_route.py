"""The route the court papers are for, said plainly; and the covering letter in the sender's voice.

Jane's sample chooses the County Court claim (she wants damages) while a non-molestation order
may fit her best. ``check`` (text and --json) and the next steps must say in one line which
route the papers are for, why, which route may fit best and how to switch, from the route data
(law/routes.yaml), as information and never as advice; the pack cover (her own copy) says the
same in short left-aligned paragraphs, switching by the interview command alone. The covering
letter to the court is hers when she sends it and her solicitor's ("We act for …") when a
solicitor does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.case import Case, load_case, save_case
from harassment_pack.errors import UserError
from harassment_pack.interview.questions import load_questionnaires
from harassment_pack.law import load_law
from harassment_pack.law.checks import check_case
from harassment_pack.law.routes import COURT_ROUTES, court_papers, load_routes, plan_routes

from .conftest import SAMPLES, TODAY, copy_sample
from .variants import variant

WORDS = load_routes()["court_papers"]
PAPERS = {r["id"]: r["papers"] for r in load_routes()["routes"] if r["id"] in COURT_ROUTES}
ADVICE = re.compile(r"\byou should\b|\byou must (use|apply|choose)\b|\bis the right\b", re.I)
SOLICITOR = {
    "acting": True,
    "name": "Ruth Okafor",
    "role": "Solicitor",
    "organisation": "Okafor & Co Solicitors",
    "address": "2 Friar Street, Reading RG1 1DB",
    "email": "ruth.okafor@example.com",
    "phone": "0118 496 0123",
    "reference": "RO/JS/0412",
    "authority": True,
    "solicitor": True,
}


def _with(case: Case, **injunction) -> Case:
    data = case.model_dump()
    data["injunction"].update(injunction)
    return Case.model_validate(data)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_the_sample_says_it_chose_the_county_court_claim_and_what_may_fit_best():
    papers = court_papers(variant("sample"), "samples/jane-smith")
    assert (papers.route, papers.chosen, papers.best) == ("pha_injunction", True, "non_molestation")
    text = papers.text
    assert text.startswith(
        f"Your court papers are for {PAPERS['pha_injunction']} because you chose"
    )
    assert "you want compensation" in text  # her reason, from her wish for damages
    assert f"may fit a case like yours best is {PAPERS['non_molestation']}" in text
    assert "a solicitor can confirm" in text
    # How to switch: the interview question and the command, or the case-file field.
    assert f'answer "{WORDS["question"]}"' in text
    assert "(harassment-pack interview samples/jane-smith --section injunction)" in text
    assert "can instead set injunction.route to non_molestation in case.yaml" in text
    assert not ADVICE.search(text)
    # The cover says it in short paragraphs: the papers and why, what may fit best, and how to
    # switch by the interview alone, its command on a line of its own; no case-file words.
    assert papers.cover == (
        f"The court papers in this pack are for {PAPERS['pha_injunction']}, as you chose: you "
        "want compensation, and only this claim can award it.",
        f"The court route that may fit your case best is {PAPERS['non_molestation']}; a "
        "solicitor can confirm which to use. To switch to it, run this command, answer "
        f'"{WORDS["question"]}", then build again:',
        "harassment-pack interview samples/jane-smith --section injunction",
    )


def test_each_way_the_route_was_chosen_is_said_apart():
    sample = variant("sample")
    unset = court_papers(_with(sample, route=None))
    assert unset.route == "non_molestation" and not unset.chosen
    assert unset.text.startswith("No route was chosen, so your court papers are for a non-mol")
    assert "YOUR-CASE-FOLDER" in unset.text and "injunction.route to pha_injunction" in unset.text
    best = court_papers(_with(sample, route="non_molestation"))
    assert best.text == WORDS["chosen_best"].format(papers=PAPERS["non_molestation"])
    assert best.switch_to is None  # nothing to switch to: said briefly
    # A stranger: only the County Court claim fits; choosing the family court is flagged.
    stranger = variant("stranger")
    only = court_papers(_with(stranger, route=None))
    assert "the only court route that fits" in only.text and "To switch" not in only.text
    wrong = court_papers(_with(stranger, route="non_molestation"))
    assert "because you chose it, but it may not fit" in wrong.text
    assert "associated persons" in wrong.text and "To switch to a harassment claim" in wrong.text
    for papers in (unset, best, only, wrong):
        assert not ADVICE.search(papers.text)
        _plain_cover(papers)
    assert best.cover == (
        WORDS["cover"]["chosen_best"][0].format(papers=PAPERS["non_molestation"]),
    )
    assert unset.cover[-2:] == (
        f"To switch to {PAPERS['pha_injunction']}, run this command, answer "
        f'"{WORDS["question"]}", then build again:',
        "harassment-pack interview YOUR-CASE-FOLDER --section injunction",
    )
    assert len(only.cover) == 1 and "the only court route that fits" in only.cover[0]
    assert "as you chose, but it may not fit" in wrong.cover[0]
    assert "associated persons" in wrong.cover[0] and wrong.cover[1].startswith(
        f"The court route that may fit your case is {PAPERS['pha_injunction']}"
    )
    # No court papers, no line.
    assert court_papers(_with(sample, sought=False)) is None


def test_check_text_and_json_say_it_right_after_the_first_route():
    case = variant("sample")
    report = check_case(case, load_law(), TODAY, folder="samples/jane-smith")
    codes = report.codes("routes")
    assert codes[:2] == [f"route:{plan_routes(case).first.id}", "court_papers"]
    assert report.get("court_papers").level == "warning"  # papers for another route than best
    text = _one_line(report.to_text(width=100))
    assert text.index("1. Non-molestation order") < text.index("Your court papers are for a har")
    assert text.index("Your court papers are for") < text.index("2. Injunction under")
    data = json.loads(report.to_json())
    assert data["court_papers"]["route"] == "pha_injunction"
    assert data["court_papers"]["best"] == "non_molestation"
    assert data["court_papers"]["switch_to"] == "non_molestation"
    assert "harassment-pack interview samples/jane-smith" in data["court_papers"]["text"]
    # The urgent note names the route the papers are for, not only the best one.
    urgent = report.get("urgent_injunction").text
    assert f"prepares the application for {PAPERS['pha_injunction']}" in urgent


def test_the_switch_names_the_interview_question_as_it_is_asked():
    (question,) = [
        q for s in load_questionnaires() for q in s.questions if q.id == "injunction.route"
    ]
    assert question.prompt == WORDS["question"]
    assert [c.value for c in question.choices] == list(COURT_ROUTES)


def _plain_cover(papers) -> None:
    """The cover's paragraphs: no case-file field names, no advice, the command said alone."""
    for paragraph in papers.cover:
        assert not re.search(r"case\.yaml|injunction\.route|route: |_injunction|non_mol", paragraph)
        assert not ADVICE.search(paragraph)
    asks = [p for p in papers.cover if p.startswith("harassment-pack interview ")]
    assert asks in ([], [papers.cover[-1]])
    if asks:
        assert papers.cover[-2].endswith("then build again:")


def _pdf(path: Path, pages: slice = slice(None)) -> str:
    return _one_line(" ".join(p.extract_text() for p in PdfReader(path).pages[pages]))


def _cover_lines(path: Path) -> list[tuple[float, str]]:
    """Each line on the pack's cover with the x of its start, top to bottom."""
    lines: list[tuple[float, str]] = []

    def seen(text, _cm, matrix, _font, _size):
        if text.strip():
            lines.append((round(matrix[4], 1), text.strip()))

    PdfReader(path).pages[0].extract_text(visitor_text=seen)
    return lines


def _cover_says(path: Path, papers) -> None:
    """The built cover holds ``papers.cover`` as left-aligned paragraphs, the command on a line
    of its own, under the centred title."""
    lines = _cover_lines(path)
    said = [text for x, text in lines if x == LEFT]
    assert _one_line(" ".join(papers.cover)) in _one_line(" ".join(said))
    if papers.cover[-1].startswith("harassment-pack interview "):
        assert papers.cover[-1] in said  # a whole line: never broken
    # Only the left-aligned block starts at the left; title and subtitle stay centred.
    assert lines[0][0] > LEFT + 20 and lines[1][0] > LEFT + 20
    cover = _one_line(" ".join(text for _, text in lines))
    assert "case.yaml" not in cover and "route:" not in cover


LEFT = 80.0
"""Where the cover's paragraphs start: the pack's margin (56 pt) and its cover indent (24 pt)."""


def test_the_built_samples_cover_says_it_plainly_and_the_next_steps_in_full(jane_build):
    papers = court_papers(load_case(SAMPLES / "jane-smith"), "jane-smith")
    _cover_says(jane_build.pack.path, papers)
    cover = _pdf(jane_build.pack.path, slice(0, 1))
    assert "The route that may fit your case best" not in cover  # the paragraphs name it
    assert "For the court, use court-bundle.pdf." in cover
    line = _one_line(papers.text)
    steps = _pdf(jane_build.out_dir / "next_steps.pdf")
    assert line in steps  # in full, with the case-file field for a solicitor or adviser
    assert "can instead set injunction.route to non_molestation in case.yaml" in steps
    assert steps.index("1. Non-molestation order") < steps.index(line) < steps.index("2. Injunc")
    # Her own covering letter, in her voice.
    letter = _pdf(jane_build.out_dir / "court_letter.pdf")
    assert "I am the Claimant in this case. I enclose, for filing:" in letter
    assert "for the reasons given in my witness statement" in letter
    assert "We act" not in letter and "Our client" not in letter
    assert "Yours faithfully, Jane Smith Claimant" in letter


PARTS = {s.section: s.title for s in load_questionnaires()}
"""The parts of the web pages, by section, as the web layer passes them to a build."""
TERMINAL = ("harassment-pack interview", "harassment-pack check", "YOUR-CASE-FOLDER", "case.yaml")


def test_a_pack_made_on_the_web_pages_names_the_part_to_answer_never_a_command(
    tmp_path, jane_build
):
    """A build started from the web pages (``build_case(parts=...)``, as the web layer calls it)
    tells its reader which part of her case's page to open; the terminal build of the same case
    keeps the interview command on a line of its own."""
    folder = tmp_path / "jane-smith"
    copy_sample(SAMPLES / "jane-smith", folder)
    result = build_case(folder, tmp_path / "out", today=TODAY, only=["next_steps"], parts=PARTS)
    papers = court_papers(load_case(folder), "jane-smith", PARTS)
    assert papers.switch_to == "non_molestation"
    _cover_says(result.pack.path, papers)
    cover = _pdf(result.pack.path, slice(0, 1))
    part = PARTS["injunction"]
    assert (
        f'To switch to it, open the part "{part}" of your case\'s page, answer '
        f'"{WORDS["question"]}", then make your documents again.'
    ) in cover
    steps = _pdf(result.out_dir / "next_steps.pdf")
    assert _one_line(papers.text) in steps
    assert f'"{WORDS["question"]}" in the part "{part}" of your case\'s page' in steps
    assert 'open "See what is urgent and your deadlines" on your case\'s page' in steps
    for text in (cover, steps):
        for terminal in (*TERMINAL, "build again"):
            assert terminal not in text, terminal
    # Built in a terminal, the same case's cover and next steps keep the command.
    terminal = _pdf(jane_build.pack.path, slice(0, 1))
    assert "harassment-pack interview jane-smith --section injunction" in terminal
    assert part not in terminal and "make your documents again" not in terminal
    assert "run 'harassment-pack check'" in _pdf(jane_build.out_dir / "next_steps.pdf")


def test_a_minimal_case_built_on_the_web_pages_gives_no_terminal_option(tmp_path):
    """Before there is a course of conduct, the web build's progress lines and next steps say
    what to do in the web's own words: no "--only" its reader has nowhere to type."""
    folder = tmp_path / "minimal"
    copy_sample(SAMPLES / "minimal", folder)
    said: list[str] = []
    result = build_case(folder, tmp_path / "out", today=TODAY, parts=PARTS, notify=said.append)
    steps = _pdf(result.out_dir / "next_steps.pdf")
    for text in (" ".join(said), steps):
        assert "--only" not in text and "-only" not in text
        for terminal in (*TERMINAL, "build again", "Build the pack"):
            assert terminal not in text, terminal
    assert "(1 incident)" in said[0]
    assert "Make your documents again then" in steps
    assert "they can make them by name from your case folder with harassment-pack." in steps
    # Built in a terminal, the option is named.
    said = []
    result = build_case(folder, tmp_path / "cli", today=TODAY, notify=said.append)
    assert "name it with --only" in " ".join(said)
    # The command has a line of its own: never broken after "--" ("with --⏎only").
    lines = PdfReader(result.out_dir / "next_steps.pdf").pages[0].extract_text().splitlines()
    lines += PdfReader(result.out_dir / "next_steps.pdf").pages[1].extract_text().splitlines()
    assert "harassment-pack build minimal --only witness_statement" in [x.strip() for x in lines]


def test_a_changed_file_on_the_web_pages_is_explained_in_their_words(tmp_path):
    folder = tmp_path / "jane-smith"
    copy_sample(SAMPLES / "jane-smith", folder)
    first = load_case(folder).evidence[0]
    (folder / first.file).write_bytes((folder / first.file).read_bytes() + b"\nchanged")
    with pytest.raises(UserError) as web:
        build_case(folder, tmp_path / "out", today=TODAY, parts=PARTS)
    assert "--accept-changed" not in str(web.value)
    assert 'under "Add screenshots and files" on your case\'s page' in str(web.value)
    with pytest.raises(UserError) as terminal:
        build_case(folder, tmp_path / "out", today=TODAY)
    assert "run build with --accept-changed" in str(terminal.value)


def test_on_the_web_pages_no_term_yet_names_the_part_too():
    case = _with(variant("sample"), orders=[], exclusion_address=None)
    papers = court_papers(case, "jane-smith", PARTS)
    assert not papers.drafted and papers.cover[-1] == (
        f'To say what they must stop doing, open the part "{PARTS["injunction"]}" of your '
        f'case\'s page, answer "{WORDS["terms_question"]}", then make your documents again.'
    )
    assert papers.text.endswith(
        f'Answer "{WORDS["terms_question"]}" in the part "{PARTS["injunction"]}" of your case\'s '
        f"page, then make your documents again; the papers will be for {PAPERS[papers.route]}."
    )
    for said in (papers.text, *papers.cover):
        assert not any(terminal in said for terminal in TERMINAL)


@pytest.fixture(scope="module")
def solicitor_build(tmp_path_factory):
    """The sample sent by her solicitor, on notice, built with the real LibreOffice."""
    folder = tmp_path_factory.mktemp("sol") / "jane-smith"
    copy_sample(SAMPLES / "jane-smith", folder)
    data = load_case(folder).model_dump()
    data["representative"] = SOLICITOR
    data["injunction"].update(signed_by="legal_representative", without_notice=False)
    save_case(Case.model_validate(data), folder)
    only = ["court_letter", "psd_complaint", "ofcom_report", "next_steps", "injunction_application"]
    return build_case(folder, folder.parent / "out", today=TODAY, only=only)


def test_a_solicitors_covering_letter_is_in_the_firms_voice(solicitor_build):
    letter = _pdf(solicitor_build.out_dir / "court_letter.pdf")
    assert "Okafor & Co Solicitors 2 Friar Street, Reading RG1 1DB" in letter
    assert "Our ref: RO/JS/0412" in letter
    assert "We act for the Claimant, Jane Smith. We enclose, for filing:" in letter
    assert (
        "Our client asks the court to fix a hearing date for this application and to let us "
        "know it" in letter
    )
    assert "Ruth Okafor Solicitor, Okafor & Co Solicitors Solicitors for the Claimant" in letter
    # Nothing in her voice: no "I ask", "my", "me".
    assert not re.search(r"\b(I|my|me)\b", letter.split("Dear Court Manager,")[1])
    # The other letters: the firm speaks ("We", "our client") until the account note hands
    # over to her; her full name is said once, never "Jane Smith's behalf".
    psd = _pdf(solicitor_build.out_dir / "psd_complaint.pdf")
    opening = psd.split("From here on")[0].split("Dear Professional Standards Department,")[1]
    assert opening.strip().startswith(
        "We act for Jane Smith, who has given us authority to act in this matter"
    )
    assert "We make this complaint on our client\u2019s behalf under" in opening
    assert "tell us the name of the person handling it" in opening
    assert "The complaint is about the service our client has received" in opening
    assert "Please write to us about this complaint, not to our client:" in opening
    assert opening.count("Jane Smith") == 1
    unquoted = re.sub("\u201c[^\u201d]*\u201d", "", opening)  # her own words, quoted
    assert not re.search(r"\b(I|me|my)\b", unquoted)
    assert "\u201cI\u201d and \u201cme\u201d are our client, Jane Smith, whose own" in psd
    assert "Okafor & Co Solicitors Solicitors for Jane Smith" in psd  # signed for the firm
    ofcom = _pdf(solicitor_build.out_dir / "ofcom_report.pdf")
    before = ofcom.split("From here on")[0]
    assert "I understand" not in before  # nobody's "I" before the sender is named
    who = before.split("Who is sending this information")[1]
    assert "Ruth Okafor (Solicitor, Okafor & Co Solicitors). Contact:" in who
    assert "We act for Jane Smith, who has given us authority" in who
    assert who.count("Jane Smith") == 1 and not re.search(r"\b(I|me|my)\b", who)
    for letter in (psd, ofcom):
        assert "I act for" not in letter and "Jane Smith\u2019s" not in letter
    # Her statement of truth is signed by the solicitor, as she answered.
    application = _pdf(solicitor_build.out_dir / "injunction_application.pdf")
    assert "The Claimant believes that the facts stated in this application notice" in application
    assert "Full name: Ruth Okafor" in application


def test_a_solicitors_letter_for_the_family_court(tmp_path):
    folder = tmp_path / "jane-smith"
    copy_sample(SAMPLES / "jane-smith", folder)
    data = load_case(folder).model_dump()
    data["representative"] = SOLICITOR
    data["injunction"]["route"] = "non_molestation"
    save_case(Case.model_validate(data), folder)
    result = build_case(folder, tmp_path / "out", today=TODAY, only=["court_letter"])
    letter = _pdf(result.out_dir / "court_letter.pdf")
    assert "We act for the Applicant, Jane Smith. We enclose, for filing:" in letter
    assert "Our client asks the court to list this application for an urgent hearing" in letter
    assert "Solicitors for the Applicant" in letter
    assert not re.search(r"\b(I|my|me)\b", letter.split("Dear Court Manager,")[1])
    cover = _pdf(result.pack.path, slice(0, 1))
    assert "The court papers in this pack are for a non-molestation order" in cover
    assert "as you chose. It is also the court route that may fit your case best." in cover
    _cover_says(result.pack.path, court_papers(load_case(folder), "jane-smith"))


def _no_terms_build(tmp_path: Path, route: str, orders: list[dict]) -> tuple[Path, object]:
    """The sample asking for a court order on ``route`` with ``orders``, built for real."""
    folder = tmp_path / "jane-smith"
    copy_sample(SAMPLES / "jane-smith", folder)
    data = load_case(folder).model_dump()
    data["injunction"].update(route=route, orders=orders, exclusion_address=None)
    save_case(Case.model_validate(data), folder)
    only = ["injunction_application", "fl401_application", "court_letter", "next_steps"]
    return folder, build_case(folder, tmp_path / "out", today=TODAY, only=only)


@pytest.mark.parametrize("route", COURT_ROUTES)
def test_no_term_yet_says_no_court_papers_are_drafted_and_what_to_answer(tmp_path, route):
    folder, result = _no_terms_build(tmp_path, route, [])
    case = load_case(folder)
    # The build drafts none of the court papers ...
    made = {p.name for p in result.out_dir.glob("*.pdf")}
    assert not made & {"injunction_application.pdf", "fl401_application.pdf", "court_letter.pdf"}
    # ... and every place says so, with the question to answer and the command to answer it.
    papers = court_papers(case, str(folder))
    assert not papers.drafted and papers.route == route
    line = _one_line(papers.text)
    assert line.startswith("No court papers are drafted yet: you asked for a court order")
    assert (
        f'Answer "{WORDS["terms_question"]}" (harassment-pack interview {folder} --section ' in line
    )
    assert line.endswith(f"then build again; the papers will be for {PAPERS[route]}.")
    report = check_case(case, load_law(), TODAY, folder=str(folder))
    shown = _one_line(report.to_text(width=100))
    assert line in shown and "Your court papers are for" not in shown
    assert report.get("court_papers").level == "warning"
    assert json.loads(report.to_json())["court_papers"]["drafted"] is False
    # The urgent note (she asked for it without notice) does not say the papers are prepared.
    urgent = report.get("urgent_injunction").text
    assert "prepares the application" not in urgent and "once the order says what" in urgent
    built = court_papers(case, "jane-smith")
    cover = _pdf(result.pack.path, slice(0, 1))
    steps = _pdf(result.out_dir / "next_steps.pdf").replace("- ", "-")  # broken after "non-"
    assert _one_line(built.text) in steps and "Your court papers are for" not in steps
    assert "harassment-pack interview jane-smith --section injunction" in steps
    _plain_cover(built)
    _cover_says(result.pack.path, built)
    assert built.cover == (
        "There are no court papers in this pack yet: you asked for a court order, but it does "
        f"not yet say what they must stop doing. Once it does, the papers will be for "
        f"{PAPERS[route]}.",
        "To say what they must stop doing, run this command, answer "
        f'"{WORDS["terms_question"]}", then build again:',
        "harassment-pack interview jane-smith --section injunction",
    )
    assert "The court papers in this pack are for" not in cover
    assert "The route that may fit your case best: Non-molestation order (form FL401)." in cover


def test_one_term_and_the_court_papers_are_drafted_and_said_so(tmp_path):
    folder, result = _no_terms_build(tmp_path, "non_molestation", [{"term": "contact"}])
    papers = court_papers(load_case(folder), "jane-smith")
    assert papers.drafted and papers.text.startswith("Your court papers are for a non-mol")
    assert (result.out_dir / "fl401_application.pdf").exists()
    cover = _pdf(result.pack.path, slice(0, 1))
    _cover_says(result.pack.path, papers)
    assert "no court papers in this pack yet" not in cover
    report = check_case(load_case(folder), load_law(), TODAY)
    assert "No court papers are drafted" not in report.to_text(width=100)


def test_the_terms_question_is_named_as_the_interview_asks_it():
    (group,) = [
        q for s in load_questionnaires() for q in s.questions if q.id == "injunction.orders"
    ]
    assert WORDS["terms_question"] in [q.prompt for q in group.questions]
