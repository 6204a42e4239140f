"""Route choice: the route that fits best comes first, with reasons from sourced data."""

from __future__ import annotations

from datetime import date

import pytest

from harassment_pack.case import Case
from harassment_pack.interview.questions import load_questionnaires
from harassment_pack.law import load_law
from harassment_pack.law.checks import check_case
from harassment_pack.law.routes import load_routes, plan_routes

from .variants import VARIANTS, variant

EXPECTED = {
    # Lived together six years, threats, open police case: the free family-court order first.
    "sample": ["non_molestation", "pha_injunction", "spo_request", "restraining_order"],
    # Never lived together: still associated (s.62(3)(ea)), so the same order of routes.
    "former_partner": ["non_molestation", "pha_injunction", "spo_request", "restraining_order"],
    # Not associated: the harassment claim leads; no family-court order for a stranger.
    "stranger": ["pha_injunction", "spo_request", "restraining_order"],
    "colleague": ["pha_injunction", "spo_request", "restraining_order"],
}


@pytest.mark.parametrize("name", VARIANTS)
def test_route_order_for_each_variant(name):
    plan = plan_routes(variant(name))
    assert plan.ids() == EXPECTED[name]
    assert plan.first is not None and plan.first.reasons


def test_reasons_name_the_law_and_the_caveat_for_a_partner_never_lived_with():
    plan = plan_routes(variant("former_partner"))
    first = plan.first
    assert "s.62(3)(ea)" in first.reasons[0]
    assert any("significant duration" in caveat for caveat in first.caveats)
    not_fitting = dict(plan_routes(variant("stranger")).not_fitting)
    assert "associated persons" in not_fitting["Non-molestation order"]


def test_wishes_move_police_routes_and_damages_reason():
    case = variant("colleague")
    police_first = Case.model_validate(
        {**case.model_dump(), "wishes": {"prefers_police": True, "damages": True}}
    )
    plan = plan_routes(police_first)
    assert plan.ids()[0] == "spo_request"
    assert plan.notes and "police" in plan.notes[0]
    pha = next(r for r in plan.routes if r.id == "pha_injunction")
    assert "compensation" in pha.reasons[0]


def test_closed_police_case_and_dapo_pilot_force():
    case = variant("sample")
    data = case.model_dump()
    data["police_reports"][0]["status"] = "no_further_action"
    assert "restraining_order" not in plan_routes(Case.model_validate(data)).ids()
    data["police_reports"][0]["force"] = "Greater Manchester Police"
    plan = plan_routes(Case.model_validate(data))
    assert "dapo_request" in plan.ids()
    dapo = next(r for r in plan.routes if r.id == "dapo_request")
    assert "Greater Manchester Police" in dapo.reasons[0]


def test_free_text_relationship_alone_never_decides_but_asks():
    data = variant("sample").model_dump()
    data["respondents"][0]["association"] = None
    case = Case.model_validate(data)
    plan = plan_routes(case, folder="jane-smith")
    assert plan.first.id == "pha_injunction"
    ask = load_routes()["ask_association"]
    # The question named is the one the interview asks, in the part the note points to.
    (section,) = [s for s in load_questionnaires() if s.section == ask["section"]]
    prompts = [q.prompt for g in section.questions for q in [g, *g.questions]]
    assert ask["question"] in prompts
    # In a terminal: the interview command, then the case-file field for a solicitor or adviser,
    # said as the court-papers line says it.
    (note,) = plan.notes
    assert note.endswith(
        f'answer "{ask["question"]}" (harassment-pack interview jane-smith --section people). '
        "(A solicitor or adviser can instead set association for him in case.yaml, under "
        "respondents.)"
    )
    # From the web pages: the part of the case's page, no command and no case.yaml.
    parts = {s.section: s.title for s in load_questionnaires()}
    (web,) = plan_routes(case, parts=parts).notes
    assert web.endswith(
        f'answer "{ask["question"]}" in the part "{section.title}" of your case\'s page.'
    )
    assert "harassment-pack interview" not in web and "case.yaml" not in web


@pytest.mark.parametrize("name", VARIANTS)
def test_check_leads_with_the_first_route(name):
    case = variant(name)
    report = check_case(case, load_law(), date(2026, 11, 24))
    text = report.to_text()
    first = plan_routes(case).first
    # Only what keeps her safe now (999, threats) comes before the route that fits.
    assert text.index("URGENT") < text.index("WHICH ROUTE FITS") < text.index("DEADLINES")
    assert report.findings("routes")[0].code == f"route:{first.id}"
    assert report.findings("routes")[0].level == "warning"


def test_route_data_is_sourced_and_dated():
    rules = load_routes()
    for key in ("associations", "dapo_pilot", "missing", "adjust", "ask_association"):
        entry = rules[key]
        assert entry["source"] and isinstance(entry["checked"], date), key
        assert entry["status"] in {"verified", "partly_verified"}, key
    for route in rules["routes"]:
        assert route["source"] and isinstance(route["checked"], date), route["id"]
        assert route["status"] in {"verified", "partly_verified"}, route["id"]
        for need in route["needs"]:
            assert need in rules["missing"], need
