"""The sample cases load, are internally consistent, and meet the brief for a realistic case."""

from __future__ import annotations

import hashlib
import importlib.util
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from harassment_pack.case import Case, load_case, save_case
from harassment_pack.order_terms import build_terms, restrains_speech

ROOT = Path(__file__).resolve().parents[1]
JANE = ROOT / "samples" / "jane-smith"
MINIMAL = ROOT / "samples" / "minimal"
SCRIPT = ROOT / "scripts" / "make_sample_screenshots.py"
TWITTER_EPOCH_MS = 1288834974657


@pytest.fixture(scope="module")
def jane() -> Case:
    return load_case(JANE)


@pytest.fixture(scope="module")
def minimal() -> Case:
    return load_case(MINIMAL)


def test_both_samples_load(jane: Case, minimal: Case) -> None:
    assert jane.applicant.full_name == "Jane Smith"
    assert minimal.incidents


# --------------------------------------------------------------------------- jane-smith brief


def test_jane_has_enough_incidents_platforms_and_span(jane: Case) -> None:
    incidents = jane.incidents_in_order()
    assert len(incidents) >= 12
    assert len({i.platform for i in incidents}) >= 3
    span = incidents[-1].sort_key - incidents[0].sort_key
    assert span >= timedelta(days=90)


def test_jane_has_the_kinds_of_incident_the_documents_need(jane: Case) -> None:
    kinds = {kind for incident in jane.incidents for kind in incident.kinds}
    for kind in (
        "threat",
        "threat_to_kill",
        "doxxing",
        "contact",
        "impersonation",
        "monitoring",
        "abuse",
        "intimate_image_threat",
    ):
        assert kind in kinds, kind


def test_jane_incident_times_use_the_right_london_offset(jane: Case) -> None:
    timed = [i for i in jane.incidents if isinstance(i.when, datetime)]
    assert len(timed) < len(jane.incidents), "expected at least one date-only incident"
    offsets = set()
    for incident in timed:
        local = incident.when.astimezone(ZoneInfo("Europe/London"))
        assert incident.when.utcoffset() == local.utcoffset(), incident.id
        offsets.add(incident.when.utcoffset())
    assert offsets == {timedelta(hours=1), timedelta(0)}, "expected both BST and GMT incidents"


def test_jane_x_status_ids_match_incident_times(jane: Case) -> None:
    """An X status id encodes when it was posted; the sample's ids must agree with its dates."""
    checked = 0
    for incident in jane.incidents:
        match = re.search(r"x\.com/[^/]+/status/(\d{19})$", incident.url or "")
        if not match:
            continue
        ms = (int(match[1]) >> 22) + TWITTER_EPOCH_MS
        posted = datetime.fromtimestamp(ms / 1000, tz=UTC)
        assert abs(posted - incident.when) < timedelta(minutes=1), incident.id
        checked += 1
    doxxing = [i for i in jane.incidents if "doxxing" in i.kinds]
    assert any("x.com/" in (i.url or "") for i in doxxing)
    assert checked >= 2


def test_jane_reports_and_injunction(jane: Case) -> None:
    assert len(jane.platform_reports) == 2
    assert all(report.reference for report in jane.platform_reports)
    assert sum(report.response is None for report in jane.platform_reports) == 1
    assert len(jane.police_reports) == 1
    police = jane.police_reports[0]
    assert police.crime_reference
    assert len(police.contacts) >= 3
    assert jane.psd_complaint and jane.psd_complaint.wanted
    assert jane.psd_complaint.force == police.force
    assert jane.ofcom_report and jane.ofcom_report.wanted
    injunction = jane.injunction
    assert injunction and injunction.sought
    assert injunction.without_notice and injunction.without_notice_reasons
    assert injunction.adverse_matters and injunction.informal_notice
    terms = build_terms(injunction, jane.applicant.keep_address_confidential)
    kinds = [term.kind for term in terms]
    assert kinds.count("prohibitory") >= 4 and kinds.count("mandatory") >= 1
    assert restrains_speech(terms)
    assert len(injunction.undertakings) >= 3
    assert "\n\n" in (jane.impact.statement or "")


def test_jane_report_references_point_at_incidents(jane: Case) -> None:
    ids = {incident.id for incident in jane.incidents}
    for report in [*jane.platform_reports, *jane.police_reports]:
        assert report.incidents and set(report.incidents) <= ids, report.id


# --------------------------------------------------------------------------- evidence


def test_jane_has_at_least_three_png_screenshots(jane: Case) -> None:
    pngs = [e for e in jane.evidence if e.file.endswith(".png")]
    assert len(pngs) >= 3
    for item in pngs:
        assert item.media_type == "image/png"
        assert (JANE / item.file).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert item.size is not None and item.size < 60_000


def test_every_evidence_hash_and_size_match_the_file(jane: Case) -> None:
    for item in jane.evidence:
        data = (JANE / item.file).read_bytes()
        assert item.sha256 == hashlib.sha256(data).hexdigest(), item.file
        assert item.size == len(data), item.file
    for incident in jane.incidents:
        if incident.source.file_sha256:
            data = (JANE / incident.source.file).read_bytes()
            assert incident.source.file_sha256 == hashlib.sha256(data).hexdigest()


def test_every_file_in_the_evidence_folder_is_listed(jane: Case) -> None:
    on_disk = {f"evidence/{path.name}" for path in (JANE / "evidence").iterdir()}
    assert on_disk == {item.file for item in jane.evidence}


def test_incident_evidence_ids_exist(jane: Case) -> None:
    ids = {item.id for item in jane.evidence}
    for incident in jane.incidents:
        assert set(incident.evidence) <= ids, incident.id
    used = {eid for incident in jane.incidents for eid in incident.evidence}
    assert used == ids, "every exhibit should support at least one incident"


def test_labels_are_consecutive(jane: Case) -> None:
    initials = jane.applicant.exhibit_initials
    assert [item.label for item in jane.evidence] == [
        f"{initials}/{n}" for n in range(1, len(jane.evidence) + 1)
    ]


def test_exact_words_appear_in_the_chat_export(jane: Case) -> None:
    """Incidents imported from the WhatsApp export quote it word for word, at the stated line."""
    for incident in jane.incidents:
        if incident.source.kind != "imported":
            continue
        lines = (JANE / incident.source.file).read_text(encoding="utf-8").splitlines()
        number = int(incident.source.record.removeprefix("line "))
        line = lines[number - 1]
        assert line.startswith(incident.source.original_time), incident.id
        assert line.endswith(incident.exact_words), incident.id
        local = incident.when.astimezone(ZoneInfo("Europe/London"))
        assert local.strftime("%d/%m/%Y, %H:%M") == incident.source.original_time


@pytest.mark.skipif(
    not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").is_file(),
    reason="byte-identical screenshots need DejaVu Sans",
)
def test_screenshots_are_generated_by_the_script() -> None:
    spec = importlib.util.spec_from_file_location("make_sample_screenshots", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0


# --------------------------------------------------------------------------- minimal


def test_minimal_has_one_incident_and_nothing_else(minimal: Case) -> None:
    assert len(minimal.incidents) == 1
    assert minimal.incidents[0].exact_words
    assert not minimal.evidence
    assert not minimal.platform_reports and not minimal.police_reports
    assert minimal.psd_complaint is None and minimal.ofcom_report is None
    assert minimal.fraud_report is None
    assert minimal.injunction is None
    assert len(minimal.respondents) == 1 and not minimal.respondents[0].known


@pytest.mark.parametrize("folder", [JANE, MINIMAL], ids=["jane-smith", "minimal"])
def test_samples_survive_save_and_load(folder: Path, tmp_path: Path) -> None:
    case = load_case(folder)
    save_case(case, tmp_path)
    assert load_case(tmp_path) == case
