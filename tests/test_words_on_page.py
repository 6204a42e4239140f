"""What a solicitor reads: a text scan of every rendered document of the sample and minimal packs.

Each rendered PDF page is read back (pypdf) and fails the scan on words that must never reach a
reader: unchecked-data notes, the tool's own field names and keys, doubled full stops, and a page
that holds nothing but a signature block or statement of truth.
"""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from harassment_pack.build import BuildResult, build_case

from .conftest import SAMPLES, TODAY, copy_sample, docx_text
from .structure import structure_problems

FORBIDDEN = {
    "not been checked": re.compile(r"not been (?:fully )?checked", re.IGNORECASE),
    "Platform id:": re.compile(r"Platform (?:id|time):"),
    # A tool key such as 'x:status:123' or 'ig:user:name'.
    "tool key": re.compile(r"\b(?:x|ig|fb|yt|tiktok|reddit|telegram|discord):[a-z]+:"),
    # A case-file field path such as incidents[3].when or applicant.full_name.
    "field path": re.compile(
        r"\b[a-z_]+\[\d+\]|\b[a-z]+_[a-z_]+\.[a-z_]+\b|\b[a-z]+_[a-z]+_[a-z_]+\b"
    ),
    # Two full stops in a row that are not an ellipsis or a dotted line to write on.
    "doubled full stop": re.compile(r"(?<!\.)\.\s?\.(?!\.)"),
}

SIGNATURE = re.compile(
    r"^(?:Statement of truth|Signed:|Full name:|Date:|I believe that the facts|The Claimant "
    r"believes|proceedings for contempt|to be made, a false|makes, or causes|without an honest|"
    r"understands that|honest belief|Jane Smith, Claimant|To be completed by the court|This "
    r"application will be heard|o'clock|If you do not attend|Yours faithfully)",
)
FURNITURE = re.compile(
    r"^(?:This is a draft prepared with harassment-pack|DRAFT|advice\.|legal advice\.|"
    r"information, not legal|.* \u2013 page \d+ of \d+|Page \d+ of \d+|\d+)"
)


@pytest.fixture(scope="module")
def builds(jane_build, tmp_path_factory) -> dict[str, BuildResult]:
    """Both samples built whole; Jane Smith's is the session's build (the same call)."""
    minimal = build_case(SAMPLES / "minimal", tmp_path_factory.mktemp("minimal"), today=TODAY)
    return {"jane-smith": jane_build, "minimal": minimal}


@pytest.fixture(scope="module")
def packs(builds) -> dict[str, dict[str, str]]:
    """{sample: {document: text}} for the rendered PDFs of both samples (pages split by \\f)."""
    found: dict[str, dict[str, str]] = {}
    for sample, result in builds.items():
        out = result.out_dir
        texts = {}
        for document in result.documents:
            reader = PdfReader(out / f"{document.name}.pdf")
            texts[document.name] = "\f".join(page.extract_text() for page in reader.pages)
            texts[f"{document.name}.docx"] = docx_text(out / document.template)
        found[sample] = texts
    return found


def test_no_forbidden_words_in_any_rendered_document(packs):
    problems = []
    for sample, texts in packs.items():
        for name, text in texts.items():
            for what, pattern in FORBIDDEN.items():
                for match in pattern.finditer(text):
                    context = text[max(0, match.start() - 40) : match.end() + 40]
                    problems.append(f"{sample}/{name}: {what}: {context!r}")
    assert not problems, "\n".join(problems)


def test_no_page_holds_only_a_signature_block(packs):
    lonely = []
    for sample, texts in packs.items():
        for name, text in texts.items():
            if name.endswith(".docx"):
                continue
            for number, page in enumerate(text.split("\f"), start=1):
                lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
                body = [line for line in lines if not FURNITURE.match(line)]
                if body and all(SIGNATURE.match(line) for line in body):
                    lonely.append(f"{sample}/{name} page {number}: {body}")
    assert not lonely, "\n".join(lonely)


def test_the_scan_catches_what_it_looks_for():
    """The patterns are not vacuous: each catches the mistake it names and passes good text."""
    bad = {
        "not been checked": "Its details have not been checked yet.",
        "Platform id:": "Platform id: ig:user:jane.smith.rdg",
        "tool key": "See x:status:2086177506089118524.",
        "field path": "Write it in incidents[3].when or no_reference_reason_text.",
        "doubled full stop": "Ask a solicitor about a non-molestation order.. Because",
    }
    for what, text in bad.items():
        assert FORBIDDEN[what].search(text), what
    good = (
        "Signed: ........ on 3 June 2026... See https://x.com/a/status/1. Instagram account id: a.b"
    )
    assert not any(pattern.search(good) for pattern in FORBIDDEN.values())
    assert all(
        SIGNATURE.match(line) for line in ["Statement of truth", "Signed: ....", "Date: ...."]
    )


def test_every_pdf_is_tagged_with_title_and_british_english(builds, tmp_path):
    """Accessibility: each document PDF is tagged, titled and in en-GB; the pack and the court
    bundle keep the title and language, and one structure tree that covers every page: each
    page's marked content has a parent element on that page, links included."""
    for sample, result in builds.items():
        name = "Jane Smith" if sample == "jane-smith" else "Sam Taylor"
        for document in result.documents:
            reader = PdfReader(result.out_dir / f"{document.name}.pdf")
            root = reader.trailer["/Root"]
            assert root["/Lang"] == "en-GB", document.name
            assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root, document.name
            assert reader.metadata.title == f"{document.title} \u2013 {name}", document.name
            assert root["/ViewerPreferences"]["/DisplayDocTitle"], document.name
        bundles = [result.pack.path] + ([result.court_bundle.path] if result.court_bundle else [])
        for path in bundles:
            pack = PdfReader(path)
            assert pack.trailer["/Root"]["/Lang"] == "en-GB"
            assert pack.metadata.title
            assert pack.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]
            assert structure_problems(path) == [], path.name
            parts = pack.trailer["/Root"]["/StructTreeRoot"]["/K"]["/K"]
            titles = {part.get_object().get("/T") for part in parts}
            assert {"Cover", "Index"} <= titles, path.name
        # Each document of the pack is a named part of its tree.
        pack = PdfReader(result.pack.path).trailer["/Root"]["/StructTreeRoot"]["/K"]["/K"]
        parts = {part.get_object()["/T"] for part in pack if part.get_object()["/S"] == "/Part"}
        assert parts == {entry.title for entry in result.pack.entries if entry.title != "Exhibits"}
    # The check is not vacuous: a bundle merged without the tree, or with a page left out, fails.
    pack = builds["jane-smith"].pack.path
    plain = PdfWriter()
    plain.append(PdfReader(builds["jane-smith"].out_dir / "chronology.pdf"))
    plain.write(tmp_path / "plain.pdf")
    assert structure_problems(tmp_path / "plain.pdf") == [
        "not a tagged PDF (no structure tree, or not marked)"
    ]
    missing = PdfWriter(clone_from=pack)
    del missing.pages[3][NameObject("/StructParents")]
    missing.write(tmp_path / "missing.pdf")
    assert structure_problems(tmp_path / "missing.pdf") == ["page 4: not in the parent tree"]


def test_witness_statement_reads_in_date_order_with_quotes_and_notices(packs):
    text = " ".join(packs["jane-smith"]["witness_statement.docx"].split())
    # Reports sit among the incidents on the day they were made (PD 32 para 19.2).
    assert (
        text.index("On 18/07/2026")
        < text.index("I made a report to Instagram")
        < text.index("On 29/07/2026")
    )
    assert text.index("On 23/08/2026 at 00:15") < text.index("Thames Valley Police. The crime")
    assert text.index("Thames Valley Police. The crime") < text.index("On 06/09/2026")
    # A platform's reply is quoted; Google's own notice is called a notice, not "the words".
    assert "Instagram replied on 21/07/2026: \u201cWe reviewed the account" in text
    assert "two-step verification the same morning. The notice said:" in text
    assert "Where this stands: no update since 20 September 2026." in text
    # Her sentence about 3 June, typed in the 9 June description, is told on 3 June, in her words.
    asked = "On 3 June 2026 at 08:05 I asked Mark by WhatsApp to stop contacting me"
    assert text.index("On 02/06/2026") < text.index(asked) < text.index("On 09/06/2026")
    assert "On 09/06/2026 at 19:27 (BST): Six days later he messaged me again." in text
    # A day named inside a sentence (her blocking him on 27 August) stays where she put it.
    kept = "On 19/09/2026 at 02:10 (BST): After I blocked his number on 27 August 2026 on police"
    assert kept in text


def test_a_description_is_taken_apart_by_day_only_where_it_says_so():
    from datetime import date

    from harassment_pack.dates import mentioned_days, sentences, split_by_day

    june9 = date(2026, 6, 9)
    rest, told, others = split_by_day(
        "On 3 June 2026 I asked him to stop. Six days later he wrote again.", june9
    )
    assert rest == "Six days later he wrote again." and others == []
    assert told == [(date(2026, 6, 3), "On 3 June 2026 I asked him to stop.")]
    # A mention inside a sentence stays there and is named for the solicitor (check).
    kept = "After I blocked him on 27 August 2026, he emailed me."
    assert split_by_day(kept, date(2026, 9, 19)) == (kept, [], [date(2026, 8, 27)])
    # When on that day, before the day a sentence opens with, still makes it that day's.
    for opening in (
        "On the evening of 3 June",
        "Late on the night of 3 June",
        "At 21:40 on 3 June 2026",
        "At about 10pm on 3 June",
        "On Wednesday, 3 June",
        "In the early hours of 3 June",
    ):
        moved = f"{opening} he rang twice."
        assert split_by_day(f"{moved} Six days later he wrote again.", june9) == (
            "Six days later he wrote again.",
            [(date(2026, 6, 3), moved)],
            [],
        ), opening
    # A day inside a sentence is not when its sentence happened: a mention, a plan, a span.
    # Whole sentences are never moved on a guess; check names the day for the solicitor.
    for mention in (
        "He came back on 3 June.",
        "He said he would wait for me on 3 June.",
        "Since 3 June he has rung every day.",
        "Then on 3 June he rang.",
    ):
        text = f"He wrote again. {mention}"
        assert split_by_day(text, june9) == (text, [], [date(2026, 6, 3)]), mention
    # A night that runs past midnight is one event; the same day is not another day.
    night = "Between 23:12 on 14 June and 01:40 on 15 June 2026 he sent 12 messages."
    assert split_by_day(night, date(2026, 6, 14)) == (night, [], [])
    assert split_by_day("On 9 June he rang.", june9) == ("On 9 June he rang.", [], [])
    # All about another day: kept whole rather than leaving the event with no words.
    assert split_by_day("On 3 June he rang.", june9) == (
        "On 3 June he rang.",
        [],
        [date(2026, 6, 3)],
    )
    # Quoted messages are never split into sentences.
    assert sentences('He wrote "Fine. Ignore me." Then he rang.') == [
        'He wrote "Fine. Ignore me." Then he rang.'
    ]
    assert mentioned_days("on 03/06/26, June 3rd, 2026-06-03, 31 June, 28 December", june9) == [
        date(2026, 6, 3),
        date(2026, 6, 3),
        date(2026, 6, 3),
        date(2025, 12, 28),
    ]


def test_ofcom_report_leaves_out_medical_details(packs):
    text = packs["jane-smith"]["ofcom_report.docx"]
    for word in ("GP", "counselling", "signed me off", "signed off"):
        assert word not in text, word
    assert "I have lost a lot of sleep." in text  # the rest of the impact stays
    assert "Other information" in text  # the notes have their own heading


def test_next_steps_say_what_to_do_if_things_get_worse(packs):
    from harassment_pack.law import dated, load_law

    law = load_law()
    text = " ".join(packs["jane-smith"]["next_steps.docx"].split())
    wording = law["wording"]
    assert wording["silent_solution"]["text"] in text  # 999, then 55
    # Partly verified advice carries the month it was checked (law.dated).
    assert dated(wording["new_incidents_same_crime_reference"]) in text
    assert "(checked July 2026)" in dated(wording["new_incidents_same_crime_reference"])
    assert dated(wording["escalate_to_supervisor"]) in text  # the officer's supervisor, via 101
    assert "you can complain to the force. " + wording["psd_definition"]["text"] in text
    assert "If the order is broken (checked December 2026)" in text
    for point in wording["order_breached"]["points"]:  # Jane asks for an injunction
        assert point in text
    # The contempt form number is not shown while it is unverified.
    assert law["forms"]["n600"]["status"] == "unverified" and "N600" not in text
    assert "Norwich Pharmacal order" in text  # C9 came from someone unknown
    # Asking for the platform's records to be kept: law data, with its source and date.
    keep = wording["platform_preservation"]
    assert f"{keep['title']} " in text and dated(keep) in text and "(checked December 2026)" in text
    assert law["helplines"]["national_domestic_abuse_helpline"]["tel"] in text  # a former partner
    minimal = " ".join(packs["minimal"]["next_steps.docx"].split())
    assert law["helplines"]["national_domestic_abuse_helpline"]["tel"] not in minimal  # stranger
    assert "If the order is broken" not in minimal  # no order sought


def test_the_contempt_form_is_named_in_next_steps_once_it_is_verified(tmp_path):
    """N600 stays hidden while unverified (above); the day its number is checked on gov.uk and
    its status changed, the next steps name it, with nothing else to change."""
    import copy

    from harassment_pack.build import default_templates_dir
    from harassment_pack.documents import BY_NAME, Templates
    from harassment_pack.documents.common import CaseView
    from harassment_pack.law import load_law
    from harassment_pack.render import render_docx

    from .variants import variant

    law = copy.deepcopy(load_law())
    document = BY_NAME["next_steps"]
    template = Templates(default_templates_dir()).path(document)
    for status, shown in (("unverified", False), ("partly_verified", True), ("verified", True)):
        law["forms"]["n600"]["status"] = status
        out = tmp_path / f"{status}.docx"
        render_docx(template, document.context(CaseView(variant("sample"), law, TODAY)), out)
        text = " ".join(docx_text(out).split())
        assert ("The form for a contempt application is N600" in text) is shown, status
        if status == "partly_verified":  # dated like all partly verified data
            assert "is N600 (checked December 2026)." in text


def test_a_non_molestation_order_has_its_own_breach_steps(tmp_path):
    """Papers for a non-molestation order: what to do if it is broken is the family route's
    (Family Law Act 1996 s.42A, the family court, form FC600), never the PHA s.3 steps."""

    from harassment_pack.case import Case, load_case, save_case
    from harassment_pack.law import dated, load_law

    wording = load_law()["wording"]
    folder = tmp_path / "jane-smith"
    copy_sample(SAMPLES / "jane-smith", folder)
    data = load_case(folder).model_dump()
    data["injunction"]["route"] = "non_molestation"
    save_case(Case.model_validate(data), folder)
    result = build_case(folder, tmp_path / "out", today=TODAY, only=["next_steps"])
    pages = PdfReader(result.out_dir / "next_steps.pdf").pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    family = wording["order_breached_family"]
    assert f"{dated(family, family['title'])} " in text  # partly verified: dated once
    for point in family["points"]:
        assert point in text
    assert "Family Law Act 1996 s.42A(1)" in text and "FC600" in text
    for point in wording["order_breached"]["points"]:
        assert point not in text
    assert "Protection from Harassment Act 1997 can be a criminal offence" not in text
    assert "N600" not in text


# Fields of a law entry that reach a reader as information (the rest is citation and metadata).
READER_FIELDS = ("text", "letter", "advocate", "points", "tel", "hours", "description", "fla_s62")


def _partly_verified_data():
    """(where, words, entry, heading) for every reader-facing value of partly verified law data
    in facts.yaml and the route rules, per-field statuses (tel_status) included. A list of
    points under a title is dated once, in its title (``heading``)."""
    from harassment_pack.law import iter_facts, load_data, load_law

    found, verified = [], set()
    for name, data in (("facts", load_law()), ("routes", load_data("routes"))):
        for path, entry in iter_facts(data) if name == "facts" else _routes_entries(data):
            titled = bool(entry.get("title") and entry.get("points"))
            for field in READER_FIELDS:
                value = entry.get(field)
                status = entry.get(f"{field}_status") or entry.get("status")
                for words in value if isinstance(value, list) else [value]:
                    if not isinstance(words, str) or len(words) < 6:
                        continue
                    if status != "partly_verified" or (
                        entry.get("undated_because") and not entry.get(f"{field}_status")
                    ):
                        verified.add(words)
                        continue
                    heading = entry["title"] if titled and field == "points" else None
                    found.append((f"{name}:{path}.{field}", words, entry, heading))
            if titled and entry.get("status") == "partly_verified":
                found.append((f"{name}:{path}.title", entry["title"], entry, None))
    # Words a verified entry shares ('24 hours a day') cannot tell which entry they came from.
    return [item for item in found if item[1] not in verified]


def _routes_entries(data):
    for key, value in data.items():
        if isinstance(value, dict) and "status" in value:
            yield key, value
            for child_key, child in value.items():
                if isinstance(child, dict):  # associations: one status for every category
                    yield f"{key}.{child_key}", {**child, "status": value["status"],
                                                 "checked": value["checked"],
                                                 "label": value.get("label")}  # fmt: skip
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict) and "status" in item:
                    yield f"{key}[{index}]", item


def test_partly_verified_data_is_shown_with_its_date_wherever_it_appears(builds):
    """One rule (law.dated): wherever a partly verified datum reaches a rendered document, the
    paragraph that holds it says '(… checked MONTH YEAR)' after it."""
    from harassment_pack.dates import uk_month

    problems, seen = [], set()
    data = list(_partly_verified_data())
    assert len(data) > 20  # the scan has something to scan
    for sample, result in builds.items():
        for document in result.documents:
            paragraphs = docx_text(result.out_dir / document.template).split("\n")
            for where, words, entry, heading in data:
                if entry.get("label") and (document.for_court or document.to_court):
                    continue  # court wording: dated in the solicitor's note (the next test)
                key = words.rstrip(".")
                checked = rf"\(\w*\s?checked {uk_month(entry['checked'])}\)"
                for paragraph in paragraphs:
                    if key not in paragraph:
                        continue
                    seen.add(where)
                    if heading is not None:  # dated once, in the heading above the points
                        dated = re.compile(rf"^{re.escape(heading)} {checked}$")
                        ok = any(dated.match(line) for line in paragraphs)
                    else:
                        ok = bool(re.search(rf"{re.escape(key)}.*{checked}", paragraph))
                    if not ok:
                        problems.append(f"{sample}/{document.name}: {where}: {paragraph!r}")
    assert not problems, "\n".join(problems)
    # The sample reaches the data this rule is about: helplines, routes, police-complaint lines.
    for where in (
        "facts:helplines.paladin.tel",
        "facts:wording.psd_pcc_iopc.text",
        "facts:wording.order_breached.title",
        "routes:associations.cohabitant.fla_s62",
    ):
        assert where in seen, where


def _court_wording():
    """(where, literal parts, entry) for every piece of partly verified wording that goes into a
    court draft as it stands: court_papers.yaml, order_terms.yaml and the facts.yaml entries
    marked ``undated_because``. A {placeholder} splits a sentence into the parts around it."""
    from harassment_pack.law import iter_facts, load_data, load_law

    meta = {"source", "checked", "status", "note", "undated_because", "label"}

    def words(node, path):
        if isinstance(node, str):
            yield path, node
        elif isinstance(node, list):
            for index, item in enumerate(node):
                if not (isinstance(item, dict) and "status" in item):  # a status of its own
                    yield from words(item, f"{path}[{index}]")
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in meta and not (isinstance(value, dict) and "status" in value):
                    yield from words(value, f"{path}.{key}")

    entries = [(f"facts:{p}", e) for p, e in iter_facts(load_law()) if e.get("undated_because")]
    for name in ("court_papers", "order_terms", "routes"):
        entries += [
            (f"{name}:{k}", e)
            for k, e in load_data(name).items()
            if isinstance(e, dict) and "status" in e and (name != "routes" or "label" in e)
        ]
    found = []
    for where, entry in entries:
        if entry["status"] != "partly_verified":
            continue
        for path, text in words(entry, where):
            parts = [part for part in re.split(r"\{[a-z_]+\}", text) if part.strip()]
            if sum(map(len, parts)) >= 6:
                found.append((path, parts, entry))
    return found


def test_partly_verified_court_wording_is_listed_for_the_solicitor_with_its_date(builds):
    """A court draft cannot carry '(checked July 2026)' in its own boxes, so every partly
    verified piece of court wording that reaches a rendered court document is listed, with its
    month, under that document's title in the solicitor's note; the note is in the pack only,
    never in the served court bundle."""
    from harassment_pack.dates import uk_month

    wording = _court_wording()
    assert len(wording) > 40  # the scan has something to scan
    problems, seen = [], set()
    for sample, result in builds.items():
        names = [d.name for d in result.documents]
        titles = {d.title for d in result.documents if d.for_court or d.to_court}
        note = (
            docx_text(result.out_dir / "solicitor_notes.docx").split("\n")
            if ("solicitor_notes" in names)
            else []
        )
        for document in result.documents:
            paragraphs = docx_text(result.out_dir / document.template).split("\n")
            for where, parts, entry in wording:
                pattern = re.compile(".*?".join(map(re.escape, parts)))
                if not any(pattern.search(paragraph) for paragraph in paragraphs):
                    continue
                seen.add(where)
                if document.name == "solicitor_notes":
                    problems.append(f"{sample}: the note quotes the wording itself: {where}")
                    continue
                if not (document.for_court or document.to_court):
                    # Undated wording of a letter (a request in her own words) has no label and
                    # is not court wording; court wording never reaches a letter. The route data
                    # (relationship categories) serves both: outside the court papers it is
                    # dated where it stands (the test above).
                    assert "label" not in entry or where.startswith("routes:"), where
                    continue
                if "label" not in entry:
                    problems.append(f"{sample}/{document.name}: {where} has no label")
                    continue
                start = note.index(document.title) if document.title in note else len(note)
                end = next((i for i in range(start + 1, len(note)) if note[i] in titles), len(note))
                listed = f"{entry['label']} (checked {uk_month(entry['checked'])})."
                if listed not in note[start:end]:
                    problems.append(f"{sample}/{document.name}: {where} not in the note: {listed}")
        if "solicitor_notes" in names:  # the applicant's own pack, never the served bundle
            pack = " ".join(p.extract_text() for p in PdfReader(result.pack.path).pages)
            served = " ".join(p.extract_text() for p in PdfReader(result.court_bundle.path).pages)
            assert "wording to check in the court drafts" in pack
            assert (
                "wording to check" not in served and "For the applicant's solicitor" not in served
            )
    assert not problems, "\n".join(problems)
    # The sample's court drafts reach each kind of this wording.
    for where in (
        "court_papers:n16a.recipient_guidance",
        "court_papers:order.harassment_recital",
        "court_papers:n208.question",
        "order_terms:terms.contact.phrase",
        "facts:wording.penal_notice.text",
        "routes:associations.cohabitant.third_person",  # the claim form's relationship line
    ):
        assert where in seen, where


def test_the_solicitors_note_covers_the_court_papers_built_with_it():
    from harassment_pack.documents import BY_NAME
    from harassment_pack.documents.common import CaseView
    from harassment_pack.law import load_law

    from .variants import variant

    view = CaseView(variant("sample"), load_law(), TODAY)
    note = BY_NAME["solicitor_notes"]
    assert note.context(view)["none"].startswith("No court paper was prepared in this build")
    order = BY_NAME["draft_order"]
    order.context(view)
    context = note.context(view)
    assert context["none"] == "" and [d["title"] for d in context["drafts"]] == [order.title]
    assert context["drafts"][0]["wording"][0]["label"] == "The penal notice"


def test_web_addresses_and_links_break_only_after_a_full_stop_or_slash(packs):
    """Issue 12 point 6 in every column: a helpline's web address ("protectionagainststalking.or⏎g",
    "reportfraud.poli⏎ce.uk"), an incident's link and the account it came from (the chronology's
    "@markdavies⏎_rdg") wrap only after '/', '.', '_' and the like."""
    from harassment_pack.case import load_case
    from harassment_pack.law import load_law

    law = load_law()
    addresses = {str(line["web"]) for line in law["helplines"].values() if line.get("web")}
    for sample in packs:
        incidents = load_case(SAMPLES / sample).incidents
        addresses |= {i.url for i in incidents if i.url}
        # Handles and e-mails ("@markdavies_rdg"); a phone number or a name may wrap at a space.
        addresses |= {
            word
            for i in incidents
            for word in (i.account or "").split()
            if re.search(r"[@._]", word)
        }
    assert "@markdavies_rdg" in addresses
    broken = []
    for sample, texts in packs.items():
        for name, text in texts.items():
            if name.endswith(".docx"):
                continue
            for address in addresses:
                pattern = r"\s*".join(map(re.escape, address))
                for match in re.finditer(pattern, text):
                    for gap in re.finditer(r"\s+", match.group()):
                        if match.group()[gap.start() - 1] not in "/._@?&=#-":
                            broken.append(f"{sample}/{name}: {match.group()!r}")
    assert not broken, "\n".join(broken)


def test_dates_to_keep_in_mind_come_soonest_first(packs):
    from datetime import datetime

    text = packs["jane-smith"]["next_steps"]
    part = text[text.index("Dates to keep in mind") : text.index("Where to get help")]
    found = re.findall(r"^(\d{1,2} [A-Z][a-z]+ \d{4}): ", part, re.MULTILINE)
    days = [datetime.strptime(day, "%d %B %Y").date() for day in found]
    assert len(days) >= 3 and days == sorted(days), found
    assert part.rstrip().find("Date not known yet") > part.find(found[-1])


def test_one_incident_is_said_on_its_day_not_from_it_to_itself(packs, tmp_path):
    chronology = " ".join(packs["minimal"]["chronology"].split())
    assert "1 incident on 14 September 2026, oldest first." in chronology
    assert "from 14 September 2026 to 14 September 2026" not in chronology
    from harassment_pack.case import Case

    from .variants import render, variant

    data = variant("sample").model_dump()
    for incident in data["incidents"]:  # X keeps one post, the address of 22 August
        if incident["id"] in ("i9", "i15"):
            incident["platform"] = "Facebook"
    ofcom = " ".join(render(Case.model_validate(data), tmp_path)["ofcom_report"].split())
    assert (
        "On 22 August 2026, 22:47 (BST), 1 item of content or contact was directed at me on X "
        "from the account @markdavies_rdg." in ofcom
    )
    assert "Between 27 June 2026, 19:30 (BST) and 9 November 2026, 07:55 (GMT), 4 items" in ofcom


def test_check_says_which_court_papers_it_prepares_without_a_false_so():
    from harassment_pack.case import load_case
    from harassment_pack.law import load_law
    from harassment_pack.law.checks import check_case

    report = check_case(load_case(SAMPLES / "jane-smith"), load_law(), TODAY)
    text = " ".join(report.to_text(colour=False).split())
    assert "without notice, so harassment-pack" not in text
    assert (
        "Your case file already asks for an order without notice: harassment-pack prepares the "
        "application for a harassment claim and injunction (forms N208 and N16A, the County "
        "Court) and a draft order, the court papers you chose." in text
    )
