"""Every answer is used: each interview question's answer reaches a document or ``check``.

For every question of the shipped questionnaires that the interview would ask for the sample
case (and for its variants, such as an injunction asked for on notice), the answer is changed
and every document is rendered again by its real template (the Jinja that docxtpl runs), with
the ``check`` report beside them. A typed answer must appear word for word; a date, a yes/no
or a choice must change what is written. The test lists every question whose answer reaches no
output.
"""

from __future__ import annotations

import copy
import functools
import html
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from harassment_pack.build import default_templates_dir
from harassment_pack.case import Case, read_yaml_with_lines
from harassment_pack.dates import parse_moment
from harassment_pack.documents import DOCUMENTS, plan
from harassment_pack.documents.common import CaseView
from harassment_pack.interview.questions import Question, holds, load_questionnaires
from harassment_pack.interview.session import get_path, set_path
from harassment_pack.law import force_names, load_law
from harassment_pack.law.checks import check_case
from harassment_pack.render import clean

from .conftest import SAMPLES, TODAY, copy_sample

LAW = load_law()
SKIPPED_TYPES = {"notice", "file"}
"""A notice asks nothing; a file becomes an exhibit, checked by the evidence tests."""


def _sample() -> dict[str, Any]:
    path = SAMPLES / "jane-smith" / "case.yaml"
    data, _lines = read_yaml_with_lines(path.read_text(encoding="utf-8"), str(path))
    return data


def _on_notice(data: dict[str, Any]) -> None:
    data["injunction"]["without_notice"] = False


def _address_given(data: dict[str, Any]) -> None:
    data["applicant"]["keep_address_confidential"] = False


def _representative(data: dict[str, Any]) -> None:
    data["representative"] = {
        "acting": True,
        "name": "Alex Morgan",
        "role": "Independent domestic violence adviser",
        "organisation": "Berkshire Women's Aid",
        "address": "PO Box 123, Reading",
        "email": "alex.morgan@example.org",
        "phone": "0118 496 0000",
        "reference": "AM/4471",
        "authority": True,
    }


def _other_branches(data: dict[str, Any]) -> None:
    _on_notice(data)
    _address_given(data)
    _representative(data)
    del data["injunction"]["service_address"]


def _solicitor(data: dict[str, Any]) -> None:
    """A solicitor acts in the court case: who signs the statements of truth is asked."""
    _representative(data)
    data["representative"].update(role="Solicitor", solicitor=True)
    data["injunction"]["signed_by"] = "legal_representative"


VARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "sample": lambda data: None,
    "on notice, address given, representative": _other_branches,
    "a solicitor signs": _solicitor,
}


def _asked(data: dict[str, Any]) -> Iterator[tuple[tuple, Question]]:
    """(case path, question) for every answer the interview would ask for ``data``."""
    base = {**data, "case": data, "law": LAW, "incident_numbers": {}}

    def walk(questions: list[Question], prefix: tuple, item: dict | None):
        for question in questions:
            if not holds(question.when, {**base, "item": item or {}}):
                continue
            path = (*prefix, *question.path)
            if question.type == "group":
                items = get_path(data, path) or []
                assert items, f"the sample has no {'.'.join(map(str, path))} to test with"
                yield from walk(question.questions, (*path, 0), items[0])
            elif question.type not in SKIPPED_TYPES:
                yield path, question

    for section in load_questionnaires():
        if holds(section.when, {**base, "item": {}}):
            yield from walk(section.questions, (), None)


def _changed(question: Question, value: Any, data: dict, marker: str) -> tuple[Any, str | None]:
    """A different answer, and the text that must then appear (None: any change will do)."""
    kind = question.type
    if kind in ("text", "long_text"):
        return f"{marker} answer", marker
    if kind == "list":
        return [f"{marker} answer"], marker
    if kind == "email":
        return f"{marker}@example.org", marker
    if kind == "url":
        return f"https://example.org/{marker}", marker
    if kind == "uk_phone":
        return "01632 960" + marker[-3:], None
    if kind == "uk_postcode":
        return "ZZ9 9ZZ", "ZZ9 9ZZ"
    if kind == "yes_no":
        return not value, None
    if kind in ("date", "datetime"):
        moment = parse_moment(value) if value else date(2026, 5, 1)
        shifted = moment - timedelta(days=3)
        return shifted.isoformat() if isinstance(shifted, datetime | date) else shifted, None
    if kind == "police_force":
        return next(name for name in force_names(LAW) if name != value), None
    if kind in ("choice", "multi_choice"):
        options = _options(question, data)
        if kind == "choice":
            other = next((o for o in options if o != value), None)
            return other, None
        chosen = list(value or [])
        return (chosen[1:] if chosen else options[:1]), None
    raise AssertionError(f"no test answer for a {kind} question")


def _options(question: Question, data: dict) -> list[Any]:
    if question.choices:
        return [choice.value for choice in question.choices]
    source = question.choices_from
    assert source is not None
    items = get_path(data, tuple(source.list.split("."))) or []
    return [item.get(source.value) for item in items]


@functools.cache
def _template(name: str) -> list[Template]:
    """A document's template as docxtpl renders it: the body, headers and footers, each patched
    by docxtpl and compiled once (opening and saving a .docx per answer would take minutes)."""
    document = DocxTemplate(str(default_templates_dir() / f"{name}.docx"))
    document.init_docx()
    parts = [document.get_xml()] + [
        document.get_part_xml(part)
        for uri in (document.HEADER_URI, document.FOOTER_URI)
        for _key, part in document.get_headers_footers(uri)
    ]
    environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
    return [environment.from_string(document.patch_xml(part)) for part in parts]


def _output(data: dict[str, Any]) -> str:
    """Every document's words as its real template renders them, and the check report."""
    case = Case.model_validate(copy.deepcopy(data))
    view = CaseView(case, LAW, TODAY)
    texts = []
    for document, reason in plan(view, list(DOCUMENTS)):
        if reason is None:
            context = clean(document.context(view))
            xml = "".join(part.render(context) for part in _template(document.name))
            texts.append(html.unescape(re.sub(r"<[^>]+>", " ", xml)))
    report = check_case(case, LAW, TODAY)
    texts += [report.to_text(colour=False, width=100), report.to_json()]
    return "\n".join(texts)


def _same_field_in_every_item(data: dict, path: tuple, question: Question) -> list[tuple]:
    """A yes/no inside a list (a term of the order that restrains publication) is set to yes,
    then to no, in every item, so that an answer used as "any of them" is seen to be used."""
    if question.type != "yes_no" or 0 not in path:
        return [path]
    at = path.index(0)
    items = get_path(data, path[:at]) or []
    return [(*path[:at], index, *path[at + 1 :]) for index in range(len(items))]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_answer_reaches_a_document_or_check(variant):
    data = _sample()
    VARIANTS[variant](data)
    before = _output(data)
    lost = []
    for number, (path, question) in enumerate(_asked(data)):
        name = ".".join(str(part) for part in path)
        value, expected = _changed(question, get_path(data, path), data, f"Qz{number:03d}")
        used = False
        for each_value in [value, not value] if question.type == "yes_no" else [value]:
            changed = copy.deepcopy(data)
            for each in _same_field_in_every_item(changed, path, question):
                set_path(changed, each, each_value)
            after = _output(changed)
            used = used or (expected.lower() in after.lower() if expected else after != before)
        if not used:
            lost.append(f"{name} ({question.type}): {question.prompt.strip()[:60]}")
    assert not lost, f"answers that reach no document and no check ({variant}):\n" + "\n".join(lost)


def test_answers_that_were_lost_now_read_right_in_real_documents(tmp_path):
    """The answers this test first found lost, as they now read in the PDFs LibreOffice makes."""
    from pypdf import PdfReader

    from harassment_pack.build import build_case
    from harassment_pack.case import save_case

    case_dir = tmp_path / "jane"
    copy_sample(SAMPLES / "jane-smith", case_dir)
    data = _sample()
    _on_notice(data)
    save_case(Case.model_validate(data), case_dir)
    result = build_case(case_dir, tmp_path / "out", today=TODAY,
                        only=["witness_statement", "ofcom_report", "psd_complaint"])  # fmt: skip

    def text(name: str) -> str:
        pages = PdfReader(result.out_dir / f"{name}.pdf").pages
        return " ".join(" ".join(page.extract_text() for page in pages).split())

    statement = text("witness_statement")
    assert "I would describe the Defendant as follows: Aged 40, about 6 ft tall" in statement
    assert "Instagram: @markd_86 (https://www.instagram.com/markd_86/)" in statement
    # On notice, what may count against the applicant still goes to the court.
    assert "Matters that may count against me" in statement
    assert "(full and frank disclosure)" not in statement
    assert "I replied to Mark once" in statement
    assert "Telling the Defendant about this application" in statement
    ofcom = text("ofcom_report")
    assert 'How: In-app report of the account @jane.smith.rdg as "pretending to be me".' in ofcom
    assert re.search(r"Incidents? C\d+([,\u2013] ?C\d+)* in the chronology", ofcom)
    psd = text("psd_complaint")
    assert re.search(r"Incidents? C\d+([,\u2013] ?C\d+)* in the chronology", psd)
    assert "No statement has been taken." in psd
