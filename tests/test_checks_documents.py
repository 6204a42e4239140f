"""The documents reflect the checks: deadlines, urgent help, costs, rights and jurisdiction."""

from __future__ import annotations

from typing import Any, get_args

from harassment_pack.build import build_case
from harassment_pack.case import Case, IncidentKind, load_case
from harassment_pack.dates import uk_date
from harassment_pack.documents import DOCUMENTS, next_steps, plan, psd_complaint
from harassment_pack.documents.common import CaseView
from harassment_pack.law import load_law
from harassment_pack.law.checks import check_case, unmet_victims_rights

from .conftest import SAMPLES, TODAY, docx_text

LAW = load_law()
JANE = load_case(SAMPLES / "jane-smith")


def _view(case: Case) -> CaseView:
    view = CaseView(case, LAW, TODAY)
    plan(view, DOCUMENTS)
    return view


def _variant(**changes: Any) -> Case:
    """The Jane Smith case with some top-level fields replaced."""
    return Case.model_validate({**JANE.model_dump(), **changes})


def _helpline_names(case: Case) -> set[str]:
    return {row["name"] for row in next_steps.build(_view(case))["helplines"]}


def test_next_steps_gives_every_deadline_date_and_the_urgent_points(jane_texts):
    text = jane_texts["next_steps"]
    report = check_case(JANE, LAW, TODAY)
    deadlines = report.findings("deadlines")
    assert len(deadlines) >= 4
    for finding in deadlines:
        assert finding.title in text
        if finding.due:
            assert uk_date(finding.due) in text
    for finding in report.findings("urgent"):
        assert finding.title in text
    assert "Act now" in text


def test_next_steps_help_and_costs_for_the_sample(jane_texts):
    text = jane_texts["next_steps"]
    helplines = LAW["helplines"]
    assert helplines["paladin"]["scope"] in text and "high risk" in helplines["paladin"]["scope"]
    assert helplines["report_fraud"]["name"] in text  # the Google sign-in attempt (hacking)
    assert helplines["iwf"]["name"] not in text
    fees = LAW["fees"]
    issue, without_notice = (
        fees["county_court_injunction_claim_issue"],
        fees["application_without_notice_or_consent"],
    )
    for fee in (issue, without_notice):
        assert f"\u00a3{fee['gbp']} (from {uk_date(fee['from'])})" in text
    # Jane applies without notice, so the on-notice application fee does not apply to her.
    assert f"\u00a3{fees['application_on_notice']['gbp']}" not in text
    assert LAW["help_with_fees"]["form"] in text
    assert "Information to check, not advice:" in text
    for note in LAW["funding_notes"].values():
        # Unverified notes stay out of what users see.
        assert (note["text"] in text) is (note["status"] != "unverified")
    # Partly verified data is shown with the month it was checked.
    assert f"{LAW['helplines']['paladin']['tel']} (number checked July 2026)" in text
    assert "(fee checked July 2026)" in text
    # A former partner: the free non-molestation order leads the sheet, before anything else.
    assert text.index("Which route fits") < text.index("1. Non-molestation order (form FL401)")
    assert text.index("1. Non-molestation order") < text.index("2. Injunction under the")
    assert text.index("1. Non-molestation order") < text.index("Act now") < text.rindex("Costs")


def test_report_fraud_only_with_a_financial_element():
    abuse = [i for i in JANE.incidents if "hacking" not in i.kinds]
    assert LAW["helplines"]["report_fraud"]["name"] not in _helpline_names(
        _variant(incidents=[i.model_dump() for i in abuse])
    )
    for kind in ("financial_demand", "hacking"):
        one = {**abuse[0].model_dump(), "kinds": [kind]}
        names = _helpline_names(_variant(incidents=[one]))
        assert LAW["helplines"]["report_fraud"]["name"] in names, kind
    # Never the IWF: the case file has no kind for child sexual abuse material.
    every_kind = {**abuse[0].model_dump(), "kinds": list(get_args(IncidentKind))}
    assert LAW["helplines"]["iwf"]["name"] not in _helpline_names(_variant(incidents=[every_kind]))


def test_scotland_case_gets_differences_and_no_england_and_wales_forms(case_copy, tmp_path):
    path = case_copy / "case.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "jurisdiction: england_wales", "jurisdiction: scotland"
        ),
        encoding="utf-8",
    )
    court = ["witness_statement", "injunction_application", "draft_order", "psd_complaint"]
    out = tmp_path / "out"
    result = build_case(case_copy, out, only=[*court, "next_steps"], today=TODAY)
    assert [d.name for d in result.documents] == ["next_steps"]
    assert sorted(d.name for d, _ in result.skipped) == sorted(court)
    assert sorted(p.name for p in out.glob("*.docx")) == ["next_steps.docx"]
    text = docx_text(out / "next_steps.docx")
    assert "You live in Scotland: what is different" in text
    for line in LAW["jurisdictions"]["scotland"]["differences"]:
        assert line in text
    assert LAW["helplines"]["report_fraud"]["name"] not in text  # Scotland: Police Scotland 101
    assert LAW["helplines"]["victim_support"]["name"] not in text  # England and Wales only
    assert "\u00a3" not in text and LAW["help_with_fees"]["form"] not in text
    assert "County Court" not in text


def test_psd_complaint_names_the_unmet_rights_and_the_review_window(jane_texts):
    text = jane_texts["psd_complaint"]
    for right in unmet_victims_rights(JANE.police_reports, LAW):
        assert f"Right {right.number}:" in text and right.why in text
    # The letter asks which body reviews the outcome; the advice itself is on next steps.
    assert LAW["wording"]["psd_review"]["letter"] in text
    assert "28 days" in LAW["wording"]["psd_review"]["letter"]


def test_psd_rights_are_driven_by_the_recorded_facts():
    report = {**JANE.police_reports[0].model_dump(), "written_confirmation": True}
    context = psd_complaint.build(_view(_variant(police_reports=[report])))
    numbers = [right["number"] for right in context["rights"]]
    assert 3 not in numbers and numbers == [4, 6, 12]
    report.update(crime_reference=None, referred_to_support=None, updates_given=None)
    context = psd_complaint.build(_view(_variant(police_reports=[report])))
    assert [right["number"] for right in context["rights"]] == [2, 12]


def test_psd_time_limit_warns_when_the_limit_is_close():
    # Last incident on 14 June 2026: the 6 months end on 14 December 2026, within a month.
    early = [i.model_dump() for i in JANE.incidents_in_order()[:3]]
    context = psd_complaint.build(_view(_variant(incidents=early)))
    assert "14 December 2026" in context["time_limit"]
    assert "less than a month away" in context["time_limit"]
    context = psd_complaint.build(_view(JANE))
    assert "9 May 2027" in context["time_limit"]
    assert "less than a month" not in context["time_limit"]
