"""Shared fixtures: the sample pack is built once per test session with the real LibreOffice."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from harassment_pack.build import BuildResult, build_case

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TODAY = date(2026, 11, 24)
ONE_INCIDENT_ANSWERS = """\
applicant:
  full_name: Sam Taylor
respondents:
  - name: Sam Doe
incidents:
  - when: 14/09/2026 20:05
    platform: Instagram
    respondent: r1
    kinds: [abuse]
    summary: First typed incident.
"""
"""An answers file for `new --answers`: the smallest case that validates (one typed incident)."""


def docx_text(path: Path) -> str:
    """All text of a .docx: body paragraphs, table cells, headers and footers, in order."""
    document = Document(str(path))
    parts: list[str] = []

    def walk(container) -> None:
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        walk(cell)
            else:
                parts.append(block.text)

    walk(document)
    for section in document.sections:
        for part in (section.header, section.footer):
            walk(part)
    # Zero-width spaces only mark where a long link may wrap; a reader never sees them.
    return "\n".join(parts).replace("\u200b", "")


@pytest.fixture(scope="session")
def jane_build(tmp_path_factory) -> BuildResult:
    out = tmp_path_factory.mktemp("jane-pack")
    return build_case(SAMPLES / "jane-smith", out, today=TODAY)


@pytest.fixture(scope="session")
def jane_texts(jane_build) -> dict[str, str]:
    return {d.name: docx_text(jane_build.out_dir / d.template) for d in jane_build.documents}


@pytest.fixture(scope="session")
def jane_pack(jane_build) -> PdfReader:
    assert jane_build.pack is not None
    return PdfReader(jane_build.pack.path)


@pytest.fixture()
def case_copy(tmp_path) -> Path:
    """A writable copy of the Jane Smith sample, for tests that change the case."""
    target = tmp_path / "case"
    shutil.copytree(SAMPLES / "jane-smith", target)
    return target
