"""The sample case and the three variants every route and court-paper test runs on.

The Jane Smith sample is a former partner she lived with for six years. The variants change only
who the person harassing her is: a former partner she never lived with, a stranger known only by
his accounts, and a colleague. Everything else (incidents, evidence, the order sought) stays the
same, so a difference in the papers comes from the relationship alone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from harassment_pack.build import default_templates_dir
from harassment_pack.case import Case, load_case, save_case
from harassment_pack.documents import DOCUMENTS, Templates, plan
from harassment_pack.documents.common import CaseView
from harassment_pack.law import load_law
from harassment_pack.render import render_docx

from .conftest import SAMPLES, TODAY, copy_sample, docx_text

JANE_DIR = SAMPLES / "jane-smith"

RESPONDENTS: dict[str, dict[str, Any]] = {
    "sample": {},
    "former_partner": {
        "relationship": "my ex-boyfriend; we were together for two years but never lived together",
        "association": "partner_not_lived_together",
        "description": "Aged 40, about 6 ft tall with short dark hair.",
    },
    "stranger": {
        "name": "Unknown",
        "relationship": None,
        "association": "stranger",
        "address": None,
        "description": "I do not know who runs these accounts.",
    },
    "colleague": {
        "name": "Mark Davies",
        "relationship": "he works in the same office as me, in accounts",
        "association": "colleague",
        "description": "A colleague in the accounts team at my office.",
    },
}
VARIANTS = list(RESPONDENTS)


def variant(name: str) -> Case:
    """The sample case with the respondent changed as ``RESPONDENTS[name]`` says."""
    case = load_case(JANE_DIR)
    data = case.model_dump()
    data["respondents"][0] = {**data["respondents"][0], **RESPONDENTS[name]}
    if name == "stranger":
        data["injunction"]["service_address"] = None
    return Case.model_validate(data)


def variant_dir(name: str, target: Path, **changes: Any) -> Path:
    """A writable copy of the sample folder holding the variant (and any top-level changes)."""
    copy_sample(JANE_DIR, target)
    case = variant(name)
    if changes:
        case = Case.model_validate({**case.model_dump(), **changes})
    save_case(case, target)
    return target


def render(case: Case, out: Path, today: date = TODAY) -> dict[str, str]:
    """Every applicable document of ``case`` as a real DOCX (no PDF), name -> its text."""
    view = CaseView(case, load_law(), today)
    templates = Templates(default_templates_dir())
    texts = {}
    for document, reason in plan(view, list(DOCUMENTS)):
        if reason is None:
            path = out / document.template
            render_docx(templates.path(document), document.context(view), path)
            texts[document.name] = docx_text(path)
    return texts
