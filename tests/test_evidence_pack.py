"""Evidence in the documents and the pack: sensitive files, cross-references, platform times."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.case import load_case, save_case
from harassment_pack.documents import BY_NAME
from harassment_pack.documents.common import CaseView
from harassment_pack.evidence import add_evidence
from harassment_pack.law import load_law

from .conftest import SAMPLES, TODAY, copy_sample

CASE = load_case(SAMPLES / "jane-smith")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _screenshot(path, size, words):
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((20, 40), words, fill="black", font=ImageFont.truetype(FONT, 28))
    image.save(path)
    return path


def _images(pdf) -> list[tuple[int, int]]:
    """(width, height) of every image in the PDF, from poppler's pdfimages."""
    lines = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]  # fmt: skip
    return [(int(line.split()[3]), int(line.split()[4])) for line in lines]


@pytest.fixture(scope="module")
def sensitive_case(tmp_path_factory):
    """The minimal sample with one ordinary and one sensitive screenshot, added the real way."""
    root = tmp_path_factory.mktemp("sensitive")
    case_dir = root / "case"
    copy_sample(SAMPLES / "minimal", case_dir)
    plain = _screenshot(root / "plain.png", (420, 300), "Ordinary message")
    private = _screenshot(root / "private.png", (330, 520), "Private photo")
    add_evidence(case_dir, [plain], incident="C1", description="Screenshot of the message")
    add_evidence(case_dir, [private], incident="C1", description="Photo", sensitive=True)
    return case_dir


def test_a_sensitive_file_is_described_not_embedded(sensitive_case, tmp_path):
    result = build_case(sensitive_case, tmp_path, only=["evidence_schedule"], today=TODAY)
    item = load_case(sensitive_case).evidence[1]
    assert _images(result.pack.path) == [(420, 300)]  # only the ordinary screenshot
    reader = PdfReader(result.pack.path)
    page = reader.pages[result.pack.entries[-1].children[1].page - 1]
    text = page.extract_text()
    assert "Exhibit ST/2" in text and "Not reproduced in this bundle" in text
    assert item.sha256 in text.replace("\n", "")
    assert "Private photo" not in "".join(p.extract_text() for p in reader.pages)  # no OCR of it

    shown = build_case(sensitive_case, tmp_path / "with", only=["evidence_schedule"],
                       include_sensitive=True, today=TODAY)  # fmt: skip
    assert sorted(_images(shown.pack.path)) == [(330, 520), (420, 300)]


def test_schedule_statement_marking_chronology_and_bundle_use_the_same_labels(
    jane_build, jane_texts
):
    labels = [item.label for item in CASE.evidence]
    schedule = re.findall(r"^JS/\d+$", jane_texts["evidence_schedule"], flags=re.MULTILINE)
    assert schedule == labels
    statement = jane_texts["witness_statement"]
    assert f"Exhibits {labels[0]}\u2013{labels[-1]}" in statement.splitlines()[:5]
    cited = set(re.findall(r"marked ((?:JS/\d+[^.]*?)+)\.", statement))
    assert cited and all(label in labels for c in cited for label in re.findall(r"JS/\d+", c))
    view = CaseView(CASE, load_law(), TODAY)
    rows = BY_NAME["chronology"].context(view)["months"]
    by_incident = {row["id"]: row["exhibits"] for month in rows for row in month["rows"]}
    for incident in CASE.incidents:
        expected = [CASE.evidence_item(e).label for e in incident.evidence]
        # Imported incidents also cite the line of the export they came from: "JS/1 (line 2)".
        shown = re.findall(r"JS/\d+", by_incident[incident.id])
        assert sorted(set(shown)) == sorted(set(expected)) or (
            incident.source.kind == "imported" and set(expected) <= set(shown)
        ), incident.id
    bundle = [e.title.split(" \u2013 ")[0] for e in jane_build.pack.entries[-1].children]
    assert bundle == [f"Exhibit {label}" for label in labels]


def test_chronology_shows_the_platform_time_from_the_link(jane_texts):
    text = jane_texts["chronology"]
    assert "Time X recorded for the post: 8 August 2026, 20:47 (BST)" in text
    assert "X post id: 2086177506089118524" in text  # what a preservation asks for
    assert "Time X recorded for the post: 28 October 2026, 19:45 (GMT)" in text
    assert "differs from the time given" not in text  # the sample's times agree


def test_a_platform_time_more_than_a_day_away_is_flagged(case_copy):
    case = load_case(case_copy)
    incident = next(i for i in case.incidents if i.url and "/status/2086177506089118524" in i.url)
    incident.when = "2026-08-11T20:47:00+01:00"  # three days after the post's own time
    save_case(case, case_copy)
    view = CaseView(load_case(case_copy), load_law(), date(2026, 11, 24))
    rows = [r for m in BY_NAME["chronology"].context(view)["months"] for r in m["rows"]]
    row = next(r for r in rows if r["id"] == incident.id)
    assert row["platform_time"] == (
        "Time X recorded for the post: 8 August 2026, 20:47 (BST) \u26a0 differs from the time "
        "given by more than a day"
    )
    assert all(r["platform_time"] == "" for r in rows if not r["url"])
