"""User text is data: markup, template syntax, emoji and control characters, end to end."""

from __future__ import annotations

from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.case import load_case, save_case

from .conftest import TODAY, docx_text

TRICKY = "Tom & Jerry <b>bold</b> \"quoted\" 'single' {{ x }} {% if %} \U0001f622 end"


def test_tricky_text_survives_verbatim_into_docx_and_pdf(case_copy, tmp_path):
    case = load_case(case_copy)
    first = case.incidents_in_order()[0]
    first.summary = TRICKY + "\x07"  # a bell character pasted from a chat: XML forbids it
    first.exact_words = TRICKY
    save_case(case, case_copy)
    result = build_case(case_copy, tmp_path / "out", only=["chronology"], today=TODAY)
    text = docx_text(result.out_dir / "chronology.docx")
    assert TRICKY in text
    assert "\x07" not in text
    pdf_text = PdfReader(result.out_dir / "chronology.pdf").pages[0].extract_text()
    flat = " ".join(pdf_text.split())
    assert "Tom & Jerry <b>bold</b>" in flat
    assert "{{ x }} {% if %}" in flat
    assert "\U0001f622" in flat
