"""Hostile text in every text field: the case file keeps it, documents show it verbatim.

Hypothesis puts arbitrary Unicode (markup, template syntax, control characters, emoji, right-to-
left marks, YAML and XML syntax) into every free-text field of a case. Each example must survive
case.yaml unchanged and render valid DOCX files showing the words exactly (less the control
codes XML cannot hold). A batch of the generated texts then goes through the real LibreOffice
in one run, and the PDF must be valid and hold them. ``HYPOTHESIS_EXAMPLES`` (or the ``slow``
marker's profile) runs more.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import get_args

import pytest
from docx import Document as Docx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pypdf import PdfReader

from harassment_pack.build import build_case, default_templates_dir
from harassment_pack.case import Case, case_to_yaml, load_case, parse_case, save_case
from harassment_pack.documents import BY_NAME, Templates
from harassment_pack.documents.common import CaseView
from harassment_pack.law import load_law
from harassment_pack.render import render_docx

from .conftest import SAMPLES, TODAY, docx_text

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "200"))
"""At least 200 in CI; more with ``HYPOTHESIS_EXAMPLES`` or ``pytest -m slow``."""
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Fields that are references, codes or parsed values rather than free text.
NOT_FREE_TEXT = {
    "id", "respondent", "account", "file", "sha256", "media_type", "label", "force",
    "crime_reference", "postcode", "email", "phone", "url", "content_key", "file_sha256",
    "record", "original_time", "timezone_basis", "initials", "platform", "handle", "court",
    "claim_number", "reference", "kind", "jurisdiction", "captured_by", "sender", "conversation",
}  # fmt: skip

hostile = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(
    lambda t: _XML_FORBIDDEN.sub("", t).strip() != ""
)
"""Any Unicode but lone surrogates (no file can hold those), with something visible left."""


def _free_text_fields(model: BaseModel) -> list[tuple[BaseModel, str]]:
    """Every (record, field) in the case whose value is free text (str or str | None)."""
    found = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += _free_text_fields(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    found += _free_text_fields(item)
        elif name not in NOT_FREE_TEXT and (
            field.annotation is str or set(get_args(field.annotation)) == {str, type(None)}
        ):
            found.append((model, name))
    return found


def _fill(case: Case, texts: list[str]) -> dict[str, str]:
    """Put ``texts`` (cycled, each with a field marker) into every free-text field."""
    shown = {}
    for number, (record, name) in enumerate(_free_text_fields(case)):
        text = f"Q{number}Q {texts[number % len(texts)]}"
        setattr(record, name, text)
        shown[f"{type(record).__name__}.{name}#{number}"] = getattr(record, name)
    return shown


def _expected(text: str) -> str:
    """What a document shows: the text less what XML cannot hold; CR and CRLF are line breaks."""
    return _XML_FORBIDDEN.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture(scope="module")
def jane() -> Case:
    return load_case(SAMPLES / "jane-smith")


HEALTH = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=HEALTH)
@given(texts=st.lists(hostile, min_size=1, max_size=6))
@example(texts=["\r\n0"])  # a Windows line ending once became two line breaks in the chronology
def test_every_text_field_round_trips_and_renders_verbatim(jane, tmp_path, texts):
    _round_trip_and_render(jane, tmp_path, texts)


@pytest.mark.slow
@settings(max_examples=5000, deadline=None, suppress_health_check=HEALTH)
@given(texts=st.lists(hostile, min_size=1, max_size=12))
def test_many_more_hostile_texts(jane, tmp_path, texts):
    """``pytest -m slow``: the same with 5,000 examples."""
    _round_trip_and_render(jane, tmp_path, texts)


def _round_trip_and_render(jane: Case, tmp_path: Path, texts: list[str]) -> None:
    case = jane.model_copy(deep=True)
    shown = _fill(case, texts)
    assert len(shown) >= 40  # every free-text field of the sample, not a handful
    again = parse_case(case_to_yaml(case))
    assert again == case  # case.yaml keeps every character

    view = CaseView(again, load_law(), TODAY)
    templates = Templates(default_templates_dir())
    rendered = ""
    for name in ("chronology",):
        document = BY_NAME[name]
        out = tmp_path / document.template
        render_docx(templates.path(document), document.context(view), out)
        Docx(str(out))  # opens: valid DOCX and XML
        rendered += docx_text(out)
    summaries = [i.summary for i in again.incidents]
    for text in summaries:
        assert _expected(text) in rendered
    for incident in again.incidents:  # exact words are quoted line by line
        for line in _expected(incident.exact_words or "").splitlines():
            assert line.strip() in rendered


@pytest.fixture(scope="module")
def batch_texts() -> list[str]:
    """Texts of the kinds hypothesis finds hardest, for one real LibreOffice conversion."""
    return [
        "Tom & Jerry <w:t>xml</w:t> ]]> {{ x }} {% if %}",
        "\u202eRTL override\u202c and \u200d joiners \ufeff BOM",
        "emoji \U0001f622\U0001f469\u200d\U0001f467 and CJK \u6f22\u5b57",
        "line one\nline two\ttabbed",
        "a\x00b\x07c\x1bd nul bell escape",
        "key: value\n- item\n&anchor *alias !!tag",
        "\u0645\u0631\u062d\u0628\u0627 Arabic and \u05e9\u05dc\u05d5\u05dd Hebrew",
        "very " + "long " * 400 + "end",
    ]


def test_a_batch_of_hostile_texts_through_the_real_libreoffice(tmp_path, batch_texts):
    case_dir = tmp_path / "case"
    case = load_case(SAMPLES / "minimal")
    base = case.incidents[0]
    case.incidents = [
        base.model_copy(update={"id": f"i{n}", "summary": f"S{n} {text}", "exact_words": text})
        for n, text in enumerate(batch_texts, start=1)
    ]
    case_dir.mkdir()
    save_case(case, case_dir)
    result = build_case(case_dir, tmp_path / "out", only=["chronology"], today=TODAY)
    docx = docx_text(result.out_dir / "chronology.docx")
    reader = PdfReader(result.out_dir / "chronology.pdf")
    pdf = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for text in batch_texts:
        assert _expected(text).strip() in docx
    for words in ("Tom & Jerry <w:t>xml</w:t> ]]> {{ x }} {% if %}", "nul bell escape",
                  "key: value", "&anchor *alias !!tag", "\U0001f622", "end"):  # fmt: skip
        assert words in pdf


def test_free_text_fields_are_found(jane):
    names = {f"{type(r).__name__}.{n}" for r, n in _free_text_fields(jane)}
    assert {"Incident.summary", "Incident.exact_words", "Applicant.full_name",
            "Impact.statement"} <= names  # fmt: skip
    assert not any(name.endswith((".id", ".file", ".url")) for name in names)
