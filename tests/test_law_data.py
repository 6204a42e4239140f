"""The legal-facts file: every fact sourced and dated, and the key facts exactly right."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, get_args

import pytest

from harassment_pack.case import IncidentKind, Jurisdiction
from harassment_pack.law import (
    force_names,
    helplines_for,
    iter_facts,
    iter_scannable_text,
    load_law,
    wrong_law_hits,
)

TODAY = date.today()
"""A 'checked' date may not be later than the day the tests run."""
STATUSES = {"verified", "partly_verified", "unverified"}
ALLOWED_KINDS = set(get_args(IncidentKind))
WHEN_TAGS = {
    "always",
    "stalking",
    "domestic",
    "intimate_image_adult",
    "intimate_image_child",
    "financial",
    "csam",
    "high_risk",
    "cyber",
    "emergency",
}
# Copied from legal-reference §3 (PD 22 witness statement of truth, in force 6 April 2020).
PD22_WITNESS = (
    "I believe that the facts stated in this witness statement are true. I understand that "
    "proceedings for contempt of court may be brought against anyone who makes, or causes to "
    "be made, a false statement in a document verified by a statement of truth without an "
    "honest belief in its truth."
)
# Jinja's `a.b` tries the attribute first, so these keys would return a dict method.
DICT_METHODS = set(dir(dict))


@pytest.fixture(scope="module")
def law() -> dict[str, Any]:
    return load_law()


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _keys(node: Any, path: str = "") -> list[tuple[str, str]]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((path, key))
            found.extend(_keys(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found.extend(_keys(item, f"{path}[{index}]"))
    return found


def test_load_law_is_cached_and_has_as_of(law):
    assert load_law() is law
    assert law["as_of"] == "2026-07"


def test_required_top_level_keys(law):
    for key in (
        "disclaimer",
        "statement_of_truth",
        "statutes",
        "forms",
        "wording",
        "victims_code_rights",
        "victims_code_relevant_unprogressed",
        "helplines",
        "fees",
        "fees_note",
        "help_with_fees",
        "funding_notes",
        "offences",
        "time_limits",
        "forces",
        "jurisdictions",
        "wrong_law",
    ):
        assert key in law, key


def test_every_fact_has_source_and_past_checked_date(law):
    facts = list(iter_facts(law))
    assert len(facts) > 150
    problems = []
    for path, entry in facts:
        source = entry.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(f"{path}: no source")
        try:
            checked = _as_date(entry.get("checked"))
        except (TypeError, ValueError):
            problems.append(f"{path}: checked is not an ISO date: {entry.get('checked')!r}")
            continue
        if checked > TODAY:
            problems.append(f"{path}: checked {checked} is in the future")
    assert not problems, "\n".join(problems)


def test_status_values(law):
    problems = []
    for path, entry in iter_facts(law):
        needs_status = not path.startswith(("wrong_law", "disclaimer"))
        status = entry.get("status")
        if status is None and not needs_status:
            continue
        if status not in STATUSES:
            problems.append(f"{path}: status {status!r}")
    assert not problems, "\n".join(problems)


def test_no_key_is_hidden_by_a_dict_method_in_jinja(law):
    clashes = [f"{path}.{key}" for path, key in _keys(law) if key in DICT_METHODS]
    assert not clashes


def test_required_statutes_forms_wording(law):
    for key in [
        "pha_1997",
        "pha_s1",
        "pha_s2",
        "pha_s2a",
        "pha_s3",
        "pha_s3_6",
        "pha_s4",
        "pha_s4a",
        "pha_s7",
        "hra_1998_s12",
        "pra_2002_sch3",
        "police_complaints_regs_2020_reg29",
        "osa_2023_s10",
        "osa_2023_s20",
        "osa_2023_s21",
        "osa_2023_s179",
        "osa_2023_s181",
        "mca_1988_s1",
        "ca_2003_s127",
        "soa_2003_s66b",
        "spa_2019",
        "cpr_part8",
        "cpr_65_28",
        "cpr_part25",
        "cpr_81_penal_notice",
        "cpr_pd32",
        "victims_code",
        "fla_1996_s42",
    ]:
        statute = law["statutes"][key]
        assert statute["cite"] and statute["short"], key
    assert law["statutes"]["pha_1997"]["cite"] == "Protection from Harassment Act 1997"
    assert law["statutes"]["spa_2019"]["cite"] == "Stalking Protection Act 2019"
    assert law["statutes"]["pra_2002_sch3"]["cite"] == "Schedule 3 to the Police Reform Act 2002"
    assert (
        law["statutes"]["victims_code"]["cite"]
        == "Code of Practice for Victims of Crime in England and Wales"
    )
    for key in ("osa_2023_s10", "osa_2023_s20", "osa_2023_s21"):
        assert law["statutes"][key]["duty"].strip(), key

    forms = law["forms"]
    assert forms["n16a"]["name"] == "N16A"
    assert forms["n16a"]["title"] == "General form of application for injunction"
    assert forms["n16"]["name"] == "N16"
    assert forms["n16"]["title"].startswith("General form of injunction")
    for key in ("n208", "n244", "ex160", "ex50", "fl401"):
        assert forms[key]["name"] == key.upper(), key

    wording = law["wording"]
    for key in [
        "by_himself_or_others",
        "penal_notice",
        "pha_breach_note",
        "n16a_grounds",
        "n16a_heard_notice",
        "ofcom_no_individual",
        "without_notice_principles",
        "hra_s12",
        "psd_definition",
        "psd_review",
        "no_timescale",
    ]:
        assert wording[key]["text"].strip(), key
    assert wording["by_himself_or_others"]["text"] == (
        "whether by himself or by instructing or encouraging or permitting any other person"
    )
    assert "{name}" in wording["penal_notice"]["text"]
    assert wording["n16a_grounds"]["text"].format(name="J Smith", date="1 May 2026") == (
        "The grounds of this application are set out in the written evidence of J Smith "
        "signed on 1 May 2026."
    )
    assert (
        wording["ofcom_no_individual"]["text"]
        == "We cannot respond to or investigate individual complaints."
    )
    assert wording["ofcom_no_individual"]["text"] in wording["ofcom_no_individual"]["quote"]
    assert (
        "any expression of dissatisfaction with a police force"
        in (wording["psd_definition"]["text"])
    )


def test_statement_of_truth_is_exactly_pd22(law):
    assert law["statement_of_truth"]["witness"]["text"] == PD22_WITNESS
    # A party's or a legal representative's statement of truth on an application or claim form
    # is in court_papers.yaml (one place), not here.
    assert set(law["statement_of_truth"]) == {"witness"}


def test_victims_code_rights(law):
    rights = law["victims_code_rights"]
    assert [right["number"] for right in rights] == list(range(1, 13))
    assert "recorded without unjustified delay" in rights[1]["text"]
    assert law["victims_code_relevant_unprogressed"] == [2, 3, 4, 6, 12]


def test_forces(law):
    forces = law["forces"]
    territorial = [f for f in forces if f["kind"] == "territorial"]
    assert len(territorial) == 43
    assert sum(f["country"] == "England" for f in territorial) == 39
    assert sum(f["country"] == "Wales" for f in territorial) == 4
    names = force_names(law)
    assert len(names) == len(set(names))
    assert "Hampshire and Isle of Wight Constabulary" in names
    for name in (
        "British Transport Police",
        "Police Scotland",
        "Police Service of Northern Ireland",
    ):
        assert name in names
    for force in forces:
        assert force["kind"] in {"territorial", "special", "scotland", "northern_ireland"}
        assert force["country"] in {
            "England",
            "Wales",
            "Scotland",
            "Northern Ireland",
            "Great Britain",
        }
        assert force["complaints"].strip()


def test_helplines(law):
    helplines = law["helplines"]
    for key in [
        "police_emergency",
        "police_non_emergency",
        "samaritans",
        "national_stalking_helpline",
        "revenge_porn_helpline",
        "report_remove",
        "paladin",
        "protection_against_stalking",
        "cyber_helpline",
        "iwf",
        "victim_support",
        "report_fraud",
    ]:
        helpline = helplines[key]
        for field in ("name", "tel", "web", "email", "hours", "audience", "scope", "when"):
            assert field in helpline, f"{key}.{field}"
        assert set(helpline["when"]) <= WHEN_TAGS, key
        assert helpline["when"], key
    assert helplines["police_emergency"]["tel"] == "999"
    assert helplines["police_non_emergency"]["tel"] == "101"
    assert helplines["revenge_porn_helpline"]["tel"] == "0345 6000 459"
    assert helplines["cyber_helpline"]["tel"] is None
    assert helplines["iwf"]["when"] == ["csam"]
    assert set(helplines["report_fraud"]["when"]) <= {"financial", "cyber"}
    assert helplines["report_fraud"]["from"] == date(2025, 12, 4)
    assert helplines["paladin"]["status"] == "partly_verified"


def test_helplines_for(law):
    ids = [h["id"] for h in helplines_for(law, set())]
    assert "police_emergency" in ids and "samaritans" in ids
    assert "iwf" not in ids and "report_fraud" not in ids
    ids = [h["id"] for h in helplines_for(law, {"financial"})]
    assert "report_fraud" in ids
    ids = [h["id"] for h in helplines_for(law, {"intimate_image_adult"})]
    assert "revenge_porn_helpline" in ids and "report_remove" not in ids


def test_fees(law):
    fees = law["fees"]
    assert fees["county_court_injunction_claim_issue"]["gbp"] == 377
    assert fees["application_on_notice"]["gbp"] == 313
    assert fees["application_without_notice_or_consent"]["gbp"] == 123
    assert fees["non_molestation_fl401"]["gbp"] == 0
    for key, fee in fees.items():
        assert fee["description"].strip(), key
        assert fee["from"] is None or isinstance(fee["from"], date), key
    assert law["help_with_fees"]["form"] == "EX160"
    assert law["help_with_fees"]["guidance"] == "EX160A"
    assert "EX50" in law["fees_note"]["text"]


def test_offences(law):
    assert set(get_args(IncidentKind)) == ALLOWED_KINDS
    ids = [offence["id"] for offence in law["offences"]]
    assert len(ids) == len(set(ids))
    for required in [
        "pha_s2",
        "pha_s2a",
        "pha_s4",
        "pha_s4a",
        "osa_s179",
        "osa_s181",
        "mca_s1",
        "ca_s127_1",
        "soa_s66a",
        "soa_s66b_1",
        "soa_s66b_4",
        "cma_s1",
        "poa_s4a",
        "sca_s76",
        "oapa_s16",
    ]:
        assert required in ids, required
    jurisdictions = set(get_args(Jurisdiction))
    for offence in law["offences"]:
        oid = offence["id"]
        assert offence["section"] in law["statutes"], oid
        assert offence["requires"], oid
        for item in offence["requires"]:
            for key in [item] if isinstance(item, str) else item:
                assert key in law["offence_elements"], (oid, key)
        assert offence["time_limit"] in law["time_limits"], oid
        assert offence["jurisdictions"] and set(offence["jurisdictions"]) <= jurisdictions, oid
        assert offence["covers"].strip(), oid
        unchecked = offence["status"] != "verified"
        assert offence["mode"] in {"summary", "either_way"} or (
            offence["mode"] is None and unchecked
        ), oid
        assert isinstance(offence["course_of_conduct"], bool) or (
            offence["course_of_conduct"] is None and unchecked
        ), oid
        if offence["mode"] == "summary":
            assert offence["max_indictment"] is None, oid


def test_offence_elements_test_known_facts(law):
    """Every element tests incident kinds, counts, relationship or impact, and says why."""
    tests = {"kinds", "min_incidents", "relationship", "impact_recorded"}
    for key, element in law["offence_elements"].items():
        assert set(element["test"]) <= tests and element["test"], key
        assert set(element["test"].get("kinds", [])) <= ALLOWED_KINDS, key
        assert set(element["test"].get("relationship", [])) <= set(law["relationships"]), key
        assert element["because"].strip() and element["short"].strip(), key


def test_time_limits(law):
    limits = law["time_limits"]
    assert limits["summary_6_months_from_last_incident"]["months"] == 6
    assert limits["s127_3y_6m"]["years"] == 3 and limits["s127_3y_6m"]["months"] == 6
    assert limits["s179_6m_from_evidence"]["months"] == 6
    assert limits["civil_pha_6_years"]["years"] == 6
    assert limits["civil_pha_6_years"]["scotland_years"] == 3
    assert limits["police_complaint_review_28_days"]["days"] == 28
    assert limits["police_complaint_best_practice_12_months"]["months"] == 12
    assert limits["vrr_3_months"]["months"] == 3


def test_jurisdictions(law):
    assert set(law["jurisdictions"]) == set(get_args(Jurisdiction))
    for key, jurisdiction in law["jurisdictions"].items():
        assert jurisdiction["name"].strip(), key
        assert all(d.strip() for d in jurisdiction["differences"]), key


def test_wrong_law_patterns_compile_and_catch_their_examples(law):
    for entry in law["wrong_law"]:
        re.compile(entry["pattern"], re.IGNORECASE)
        assert entry["why"].strip() and entry["use_instead"].strip()
    examples = {
        "the Stalking " + "Prevention Act 2019": "Stalking Protection Act 2019",
        "see P" + "D 25A para 3": "CPR Part 25",
        "an ex parte injunction": "without notice",
        "report it to Action Fraud": "Report Fraud",
        "call 0345 600 0459": "0345 6000 459",
        "a revenge porn offence": "intimate image abuse",
        "the Home Office Counting Rules": "Home Office Crime Recording Rules",
        "granted within 24\u201348 hours": "wording.no_timescale",
        "a restraining order under PHA s.5": "Sentencing Act 2020",
    }
    for text, fix in examples.items():
        hits = wrong_law_hits(law, text)
        assert any(fix in hit["use_instead"] for hit in hits), text
    for fine in (
        "Call the Revenge Porn Helpline",
        "a restraining order on acquittal under PHA 1997 s.5A",
        "apply without notice",
        "call 0345 6000 459",
        "Hampshire and Isle of Wight Constabulary",
    ):
        assert not wrong_law_hits(law, fine), fine


def test_facts_do_not_use_wrong_law(law):
    hits = [
        f"{path}: {text!r} matches {hit['pattern']!r}"
        for path, text in iter_scannable_text(law)
        for hit in wrong_law_hits(law, text)
    ]
    assert not hits, "\n".join(hits)


def test_replaced_names_are_only_in_replaced_fields(law):
    assert law["helplines"]["report_fraud"]["replaced"] == "Action Fraud"
    scanned = " ".join(text for _, text in iter_scannable_text(law))
    assert "Action Fraud" not in scanned


def test_no_key_is_written_twice_in_the_law_data():
    """A repeated key silently replaces the first (PyYAML keeps the last): refuse both."""
    from importlib import resources

    import yaml as pyyaml

    repeated = []

    class Strict(pyyaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node)
            if key in seen:
                repeated.append(f"{key} (line {key_node.start_mark.line + 1})")
            seen.add(key)
        return pyyaml.SafeLoader.construct_mapping(loader, node, deep)

    Strict.add_constructor(pyyaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    text = resources.files("harassment_pack.law").joinpath("facts.yaml").read_text("utf-8")
    pyyaml.load(text, Loader=Strict)
    assert not repeated
