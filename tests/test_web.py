"""The web interview in a real headless Chromium, against a real ``harassment-pack serve``.

A person who never opens a terminal goes from the first page to a downloaded pack: every
question page answered by clicking and typing, a screenshot uploaded, a WhatsApp export imported,
the checks read and the pack built and downloaded. Every page type is checked with axe-core and
kept as a screenshot at desktop and phone size (in out/test-artefacts/web/); every request the
browser makes is recorded and must stay on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pypdf import PdfReader

from .conftest import copy_sample

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "samples" / "jane-smith" / "evidence" / "2026-07-03-whatsapp-threat.png"
CHAT = ROOT / "tests" / "data" / "whatsapp" / "android_mixed.txt"
ARTEFACTS = ROOT / "out" / "test-artefacts" / "web"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


class Server:
    """``harassment-pack serve`` in its own process, as a person starts it."""

    def __init__(self, cases: Path, **env: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "harassment_pack", "serve", str(cases), "--no-browser"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            found = re.search(r"(http://127\.0\.0\.1:(\d+)/start/\S+)", line)
            if found:
                self.start_url, self.port = found[1], int(found[2])
                self.origin = f"http://127.0.0.1:{self.port}"
                return
        raise AssertionError("the server did not print its address")

    def new_address(self) -> str:
        """The start address printed after someone left quickly (the old one is retired)."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            found = re.search(r"(http://127\.0\.0\.1:\d+/start/\S+)", line)
            if found:
                self.start_url = found[1]
                return self.start_url
        raise AssertionError("the server printed no new address")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def server(tmp_path):
    running = Server(tmp_path / "cases")
    yield running
    if running.process.poll() is None:
        running.kill()


class Visit:
    """One person's browser tab: records every request and checks every page type it sees."""

    def __init__(self, browser: Browser, server: Server, size: str = "desktop") -> None:
        width, height = SIZES[size]
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True
        )
        self.page: Page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.server = server
        self.size = size
        self.seen: dict[str, str] = {}
        self.axe = Axe()

    def open(self) -> None:
        self.page.goto(self.server.start_url)

    def look(self, kind: str) -> None:
        """First time a page type is seen: at desktop and phone size, axe-core finds nothing
        serious, no terminal keys are mentioned, and a screenshot is kept."""
        if kind in self.seen:
            return
        self.seen[kind] = self.page.url
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        for size, (width, height) in SIZES.items():
            self.page.set_viewport_size({"width": width, "height": height})
            results = self.axe.run(self.page)
            bad = [
                f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert not bad, f"{kind} page at {size} size: {bad}"
            keys = re.findall(
                r"press Enter|Ctrl-C|drag in its path|Type \?", self.page.inner_text("body")
            )
            assert not keys, f"{kind} page tells a browser user to use terminal keys: {keys}"
            wide = self.page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{kind} page is {wide} px wide at {size} size ({width} px)"
            self.page.screenshot(path=str(ARTEFACTS / f"{kind}-{size}.png"), full_page=True)
        width, height = SIZES[self.size]
        self.page.set_viewport_size({"width": width, "height": height})

    def all_local(self) -> None:
        outside = [url for url in self.requests if not url.startswith(self.server.origin + "/")]
        assert not outside, f"requests left 127.0.0.1: {outside}"


# The sample story, as a person would type it; paths are the case-file fields each page fills.
STORY = {
    "jurisdiction": "england_wales",
    "applicant.full_name": "Jane Smith",
    "applicant.occupation": "Pharmacist",
    "applicant.keep_address_confidential": "true",
    "applicant.address": "Flat 3, 41 Larkspur Road, Reading",
    "applicant.postcode": "rg2 8qj",
    "applicant.email": "jane.smith@example.com",
    "applicant.phone": "07700 900123",
    "applicant.voicemail_safe": "false",
    "respondents[0].name": "Mark Davies",
    "respondents[0].relationship": "My former partner; we lived together for six years",
    "respondents[0].association": "cohabitant",
    "respondents[0].accounts[0].platform": "WhatsApp",
    "respondents[0].accounts[0].handle": "+44 7700 900999",
    "incidents[0].when": "03/07/2026 21:14",
    "incidents[0].platform": "WhatsApp",
    "incidents[0].respondent": "r1",
    "incidents[0].kinds": ["threat"],
    "incidents[0].summary": "He sent me a threatening message late at night.\n\nI did not reply.",
    "incidents[0].exact_words": "You will regret leaving me.",
    "incidents[0].evidence": [SCREENSHOT],
    "incidents[1].when": "18 July 2026",
    "incidents[1].platform": "Instagram",
    "incidents[1].respondent": "r1",
    "incidents[1].kinds": ["impersonation"],
    "incidents[1].summary": "He made a fake Instagram profile in my name.",
    "platform_reports[0].platform": "Instagram",
    "platform_reports[0].date": "19/07/2026",
    "platform_reports[0].reference": "IG-5521",
    "police_reports[0].force": "Thames Valley",
    "police_reports[0].date": "20/07/2026",
    "police_reports[0].crime_reference": "43260071234",
    "psd_complaint.wanted": "true",
    "psd_complaint.force": "Thames Valley",
    "psd_complaint.concerns": "Nobody called me back after my report.",
    "ofcom_report.wanted": "true",
    "injunction.sought": "true",
    "injunction.orders[0].term": "contact",
    "injunction.without_notice": "true",
    "injunction.without_notice_reasons": "He threatened me; I fear what he would do if warned.",
    "impact.statement": "I am frightened to go out.\n\nI sleep badly.",
    "witnesses[0].full_name": "Claire Smith",
    "witnesses[0].relation": "sister",
    "witnesses[0].account": "On 19 July 2026 I saw the fake Instagram profile in Jane's name.",
    "witnesses[0].incidents": ["i2"],
    "witnesses[0].willing": "true",
    "witnesses[0].contact": "07700 900731",
}
RECORDS = {"respondents": 1, "respondents[0].accounts": 1, "incidents": 3,
           "platform_reports": 1, "police_reports": 1, "injunction.orders": 1,
           "witnesses": 1}  # fmt: skip
FALLBACK = {
    "text": "Not known",
    "long_text": "Not known",
    "list": "Not known",
    "date": "01/08/2026",
    "datetime": "01/08/2026 10:00",
    "time": "10:00",
    "police_force": "Thames Valley",
    "email": "jane.smith@example.com",
    "uk_phone": "07700 900123",
    "uk_postcode": "RG2 8QJ",
    "url": "https://example.com/post/1",
}


def answer_all(visit: Visit, story: dict, records: dict, *, stop_after: int | None = None) -> int:
    """Answer question pages until the interview ends (or ``stop_after`` answers); returns count."""
    page = visit.page
    answered = 0
    for _ in range(400):
        if not re.search(r"/case/[^/]+/next$", urlsplit(page.url).path):
            return answered
        form = page.locator("form[data-kind]")
        path = form.locator("input[name=path]").get_attribute("value")
        kind, qtype = form.get_attribute("data-kind"), form.get_attribute("data-type")
        required = form.get_attribute("data-required") is not None
        visit.look(f"question-{kind if kind != 'question' else qtype}")
        if stop_after is not None and answered >= stop_after:
            return answered
        if kind == "add":
            wanted = int(form.get_attribute("data-count") or 0) < records.get(path, 0)
            page.check(f"input[name=answer][value={'yes' if wanted else 'no'}]")
        elif kind == "question":
            value = story.get(path)
            if value is None and not required:
                page.get_by_role("button", name="Skip this question for now").click()
                answered += 1
                continue
            if qtype == "file":
                page.set_input_files("#answer", [str(f) for f in value])
                page.fill("#description", "Screenshot of the message")
            elif qtype in ("choice", "yes_no"):
                choice = value or form.locator("input[name=answer]").first.get_attribute("value")
                page.check(f"input[name=answer][value='{choice}']")
            elif qtype == "multi_choice":
                for choice in value or []:
                    page.check(f"input[name=answer][value='{choice}']")
            else:
                page.fill("#answer", value if value is not None else FALLBACK[qtype])
        page.get_by_role("button", name=re.compile("^(Save and continue|Continue)$")).click()
        expect(page.locator(".error-summary")).to_have_count(0)
        answered += 1
    raise AssertionError("the interview did not end")


def test_a_person_goes_from_the_first_page_to_a_downloaded_pack(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    visit = Visit(browser, server)
    page = visit.page
    visit.open()
    expect(page.locator(".safety")).to_contain_text("call 999")
    visit.look("home")
    # A mistake gets a message tied to the field, and focus goes to it.
    page.fill("#name", "../escape")
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#name")).to_have_attribute("aria-invalid", "true")
    visit.look("home-error")
    page.fill("#name", "jane")
    page.get_by_role("button", name="Start").click()

    # The same checks as the terminal, with the same words.
    page.check("input[name=answer][value=england_wales]")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_contain_text("full name")
    expect(page.locator(".progress")).to_have_text(re.compile(r"Part 2 of \d+: About you"))
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".error-summary")).to_contain_text("needed for your documents")
    visit.look("question-error")
    page.fill("#answer", "Jane Smith")
    page.get_by_role("button", name="Save and continue").click()

    answer_all(visit, STORY, RECORDS)
    expect(page.locator("h1")).to_contain_text("Your case: jane")
    visit.look("case")
    expect(page.locator("table.incidents")).to_contain_text("C1")

    page.get_by_role("link", name="Change, add or remove incidents").click()
    visit.look("part")
    # Change one answer, then add an incident and take it out again.
    page.get_by_role("link", name=re.compile("^Change your answer to: What happened")).nth(
        1
    ).click()
    visit.look("question-change")
    page.fill("#answer", "He made a fake Instagram profile in my name and posted as me.")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("main")).to_contain_text("and posted as me")
    records = page.locator("section.record")
    expect(records).to_have_count(3)
    expect(records.nth(2)).to_contain_text("Not known")
    page.get_by_role("button", name=re.compile("^Remove this one")).nth(2).click()
    visit.look("remove")
    page.get_by_role("button", name="Yes, remove it").click()
    expect(records).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text("Not known")
    page.goto(f"{server.origin}/case/jane/next")  # the removed incident is not asked again
    expect(page).to_have_url(re.compile(r"/case/jane/\?done=1$"))

    page.get_by_role("link", name="Add screenshots and files").click()
    visit.look("evidence")
    expect(page.locator("table.exhibits")).to_contain_text("JS/1")
    profile = SCREENSHOT.with_name("2026-07-18-instagram-fake-profile.png")
    page.set_input_files("#files", str(profile))
    page.fill("#description", "The fake profile")
    page.select_option("#incident", "C2")
    page.get_by_role("button", name="Add these files").click()
    expect(page.locator(".notice")).to_contain_text("JS/2")
    # Re-link and take out, as `evidence link` and `evidence remove` do.
    page.select_option("#link-label", "JS/2")
    page.select_option("#link-incident", "C1")
    page.get_by_role("button", name="Link them", exact=True).click()
    expect(page.locator(".notice")).to_contain_text("JS/2 is linked to C1")
    expect(page.locator("table.exhibits tr", has_text="JS/2")).to_contain_text("C1, C2")
    page.select_option("#remove-label", "JS/2")
    page.get_by_role("button", name="Take it out of my documents").click()
    expect(page.locator("table.exhibits")).not_to_contain_text("JS/2")
    assert (tmp_path / "cases" / "jane" / "evidence" / profile.name).is_file()

    page.goto(f"{server.origin}/case/jane/import")
    visit.look("import")
    page.set_input_files("#export", str(CHAT))
    page.select_option("#format", "whatsapp")
    page.get_by_role("button", name="Look inside the file").click()
    visit.look("import-preview")
    page.get_by_role("button", name="Import their messages").click()  # nobody ticked
    expect(page.locator(".error-summary")).to_contain_text("Tick whose messages")
    page.get_by_label(re.compile("^Sam Doe")).check()
    page.select_option("#person", "r1")  # the phone calls him "Sam Doe"; he is Mark Davies
    page.get_by_role("button", name="Import their messages").click()
    expect(page.locator("[role=status]")).to_contain_text("Imported")
    visit.look("import-done")

    page.goto(f"{server.origin}/case/jane/check")
    expect(page.locator("main h2").first).to_have_text("Urgent")
    visit.look("check")

    page.goto(f"{server.origin}/case/jane/build")
    page.get_by_role("button", name="Make my documents").click()
    visit.look("build-running")
    expect(page.get_by_text("Your documents are ready.")).to_be_visible(timeout=240_000)
    visit.look("build-done")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download pack.pdf").click()
    saved = tmp_path / "pack.pdf"
    waiting.value.save_as(saved)
    reader = PdfReader(saved)
    assert len(reader.pages) > 5
    cover = reader.pages[0].extract_text()
    assert "Jane Smith v Mark Davies" in cover and "Sam Doe" not in cover
    # Made on these pages, the pack says which part of them to answer to switch the court
    # route, never the terminal's command (a terminal build keeps it: test_chosen_route.py).
    from harassment_pack.case import load_case
    from harassment_pack.interview.questions import load_questionnaires
    from harassment_pack.law.routes import court_papers

    parts = {s.section: s.title for s in load_questionnaires()}
    papers = court_papers(load_case(tmp_path / "cases" / "jane"), "jane", parts)
    assert papers is not None and papers.switch_to is not None
    said = " ".join(cover.split())
    assert " ".join(" ".join(papers.cover).split()) in said
    assert 'open the part "A court order to make it stop" of your case\'s page' in said
    # The witness asked about on its own page has her statement draft in the pack.
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for terminal in ("harassment-pack interview", "harassment-pack check", "YOUR-CASE-FOLDER"):
        assert terminal not in words, f"the pack made on the web says {terminal!r}"
    assert "WITNESS STATEMENT OF CLAIRE SMITH" in words
    assert "I saw the fake Instagram profile in Jane's name." in words
    assert "court-bundle.pdf" in page.locator("ul.files").inner_text()
    visit.all_local()
    # Nothing about the case is kept in the browser itself.
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert page.evaluate("document.cookie") == ""  # the session cookie is HttpOnly


def test_the_questions_can_be_answered_with_the_keyboard_alone(
    browser: Browser, server: Server
) -> None:
    visit = Visit(browser, server)
    page = visit.page
    visit.open()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the main content")).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(3):  # past "keeping this private" to the case name
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "name":
            break
    expect(page.locator("#name")).to_be_focused()
    page.keyboard.type("keys")
    page.keyboard.press("Enter")
    expect(page.locator(".progress")).to_contain_text("Part 1 of")
    order = []
    for _ in range(6):  # skip link, brand, leave quickly, "what does this mean?", the choice
        page.keyboard.press("Tab")
        order.append(
            page.evaluate("document.activeElement.textContent.trim() || document.activeElement.id")
        )
        if order[-1] == "answer":
            break
    assert order[2] == "Leave this site quickly" and order[-1] == "answer", order
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("full name")
    expect(page.locator(".progress")).to_contain_text("Part 2 of")


def test_answers_survive_the_server_being_killed(browser: Browser, tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    first = Server(cases)
    visit = Visit(browser, first)
    visit.open()
    visit.page.fill("#name", "sam")
    visit.page.get_by_role("button", name="Start").click()
    answer_all(visit, STORY, RECORDS, stop_after=4)
    asked = visit.page.locator("input[name=path]").get_attribute("value")
    first.kill()

    second = Server(cases)
    try:
        again = Visit(browser, second)
        again.open()
        again.page.get_by_role("link", name="Carry on with sam").click()
        again.page.get_by_role("link", name="Carry on where you stopped").click()
        assert again.page.locator("input[name=path]").get_attribute("value") == asked
        case_text = (cases / "sam" / ".interview-progress.yaml").read_text(encoding="utf-8")
        assert "Jane Smith" in case_text
        # One case, two front ends in turn: an answers file given on the command line is
        # seen by the browser, and nothing the browser saved is lost.
        answers = tmp_path / "answers.yaml"
        answers.write_text("applicant.occupation: Teacher\n", encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "harassment_pack", "interview", str(cases / "sam"),
             "--answers", str(answers)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        again.page.goto(f"{second.origin}/case/sam/part/about_you")
        expect(again.page.locator("dl.answers")).to_contain_text("Teacher")
        expect(again.page.locator("dl.answers")).to_contain_text("Jane Smith")
    finally:
        second.kill()


def test_a_case_another_command_is_changing_is_not_changed_behind_its_back(
    browser: Browser, tmp_path: Path
) -> None:
    cases = tmp_path / "cases"
    server = Server(cases, HARASSMENT_PACK_LOCK_WAIT="1")
    try:
        visit = Visit(browser, server)
        page = visit.page
        visit.open()
        page.fill("#name", "busy")
        page.get_by_role("button", name="Start").click()
        holder = subprocess.Popen(
            [sys.executable, "-c",
             "import sys, time\nfrom harassment_pack.lock import case_lock\n"
             "with case_lock(sys.argv[1], 'import'):\n print('held', flush=True)\n time.sleep(60)",
             str(cases / "busy")],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator(".problem")).to_contain_text("'harassment-pack import'")
        holder.kill()
        holder.wait(10)
        page.go_back()
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator(".progress")).to_contain_text("Part 2 of")
    finally:
        server.kill()


def test_leave_quickly_shows_a_neutral_page_and_ends_the_session(
    browser: Browser, server: Server
) -> None:
    visit = Visit(browser, server)
    page = visit.page
    visit.open()
    page.fill("#name", "quick")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("h1")).to_be_visible()
    page.get_by_role("button", name="Leave this site quickly").click()
    page.wait_for_url(f"{server.origin}/away")
    assert page.title() == "Weather"
    # Back, and the old start address in the history, show only the neutral page now.
    page.go_back()
    assert page.title() == "Weather" and "harassment" not in page.content().lower()
    for address in (f"{server.origin}/case/quick/", server.start_url):
        answer = page.goto(address)
        assert answer is not None and answer.status == 403
        assert page.title() == "Weather" and "harassment" not in page.content().lower()
    # She comes back with the new address the server printed; Shift three times leaves again.
    second = Visit(browser, server)
    second.page.goto(server.new_address())
    expect(second.page.get_by_role("link", name="Carry on with quick")).to_be_visible()
    second.page.keyboard.press("Shift")
    second.page.keyboard.press("Shift")
    second.page.keyboard.press("Shift")
    second.page.wait_for_url(f"{server.origin}/away")
    visit.all_local()
    second.all_local()


def _request(
    server: Server, method: str, path: str, *, headers: dict | None = None, body: str = ""
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    return connection.getresponse()


def test_only_the_browser_that_opened_the_secret_address_gets_in(server: Server) -> None:
    assert _request(server, "GET", "/").status == 403
    assert _request(server, "GET", "/start/not-the-secret").status == 403
    opened = _request(server, "GET", urlsplit(server.start_url).path)
    assert opened.status == 303
    cookie = opened.headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in opened.headers["Set-Cookie"]
    assert "SameSite=Strict" in opened.headers["Set-Cookie"]
    home = _request(server, "GET", "/", headers={"Cookie": cookie})
    assert home.status == 200
    assert "default-src 'none'" in home.headers["Content-Security-Policy"]
    assert home.headers["Cache-Control"] == "no-store"
    csrf = re.search(r'name="csrf" value="([^"]+)"', home.read().decode())[1]  # type: ignore[index]
    # DNS rebinding: a page at another name that points at 127.0.0.1 is refused.
    rebound = _request(server, "GET", "/", headers={"Cookie": cookie, "Host": "evil.example"})
    assert rebound.status == 400
    form = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    origin = {"Origin": server.origin}
    assert _request(server, "POST", "/new", headers={**form, **origin}, body="name=x").status == 403
    foreign = {"Origin": "http://evil.example"}
    body = f"name=x&csrf={csrf}"
    assert _request(server, "POST", "/new", headers={**form, **foreign}, body=body).status == 403
    assert _request(server, "POST", "/new", headers={**form, **origin}, body=body).status == 303
    # Served to this computer only: another loopback address of the same machine is refused.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", server.port), timeout=5)


def test_the_check_page_says_where_to_answer_on_the_site_not_a_command(
    browser: Browser, tmp_path: Path
) -> None:
    """The court papers' line on the web check page names the part of the questions to answer
    (and links to it); the terminal's interview command and case.yaml are never shown there."""
    from harassment_pack.case import Case, load_case, save_case

    cases = tmp_path / "cases"
    copy_sample(ROOT / "samples" / "jane-smith", cases / "jane")
    copy_sample(ROOT / "samples" / "jane-smith", cases / "no-terms")
    data = load_case(cases / "no-terms").model_dump()
    data["injunction"].update(orders=[], exclusion_address=None)
    save_case(Case.model_validate(data), cases / "no-terms")
    # Her own words say "former partner" but no category is chosen: the check asks for one.
    copy_sample(ROOT / "samples" / "jane-smith", cases / "unsure")
    data = load_case(cases / "unsure").model_dump()
    data["respondents"][0]["association"] = None
    save_case(Case.model_validate(data), cases / "unsure")
    server = Server(cases)
    try:
        visit = Visit(browser, server)
        page = visit.page
        visit.open()
        where = 'in the part "A court order to make it stop" of your case\'s page'
        for name, question in (
            ("jane", "Which court papers should harassment-pack prepare?"),
            ("no-terms", "What should the order stop them doing?"),
        ):
            page.goto(f"{server.origin}/case/{name}/check")
            title = page.get_by_role("heading", name="Your court papers", exact=True)
            finding = page.locator(".finding", has=title)
            expect(finding).to_contain_text(f'answer "{question}" {where}', ignore_case=True)
            shown = page.inner_text("main")
            for terminal in ("harassment-pack interview", "YOUR-CASE-FOLDER", "case.yaml"):
                assert terminal not in shown, f"{name}: the web check page says {terminal!r}"
            finding.get_by_role("link", name="Open the part about a court order").click()
            expect(page.locator("h1")).to_contain_text("A court order to make it stop")
        page.goto(f"{server.origin}/case/unsure/check")
        expect(page.locator("section.check-routes")).to_contain_text(
            'answer "Which of these is closest to how you know them?" in the part "The person '
            "harassing you\" of your case's page."
        )
        shown = page.inner_text("main")
        for terminal in ("harassment-pack interview", "YOUR-CASE-FOLDER", "case.yaml"):
            assert terminal not in shown, f"unsure: the web check page says {terminal!r}"
    finally:
        server.kill()
