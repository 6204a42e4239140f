"""Offence rules: each offence is offered only when its elements hold, and says which ones.

Cases on both sides of each element: how the people are connected, how serious the content is,
what was threatened and how many incidents there were.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from harassment_pack.case import Case, Respondent
from harassment_pack.law import load_law
from harassment_pack.law.checks import check_case
from harassment_pack.law.offences import connection, offence_matches

LAW = load_law()
TODAY = date(2026, 11, 24)


def incident(iid: str, day: int, kinds: list[str], respondent: str | None = "r1", **extra: Any):
    return {"id": iid, "when": f"2026-10-{day:02d}", "platform": "Instagram",
            "respondent": respondent, "kinds": kinds, "summary": "A message.", **extra}  # fmt: skip


def case(incidents: list[dict[str, Any]], relationship: str | None = None,
         name: str = "Mark Davies", **extra: Any) -> Case:  # fmt: skip
    respondent = {"id": "r1", "name": name}
    if relationship:
        respondent["relationship"] = relationship
    return Case.model_validate({
        "applicant": {"full_name": "Jane Smith"}, "respondents": [respondent],
        "incidents": incidents, **extra,
    })  # fmt: skip


def ids(c: Case) -> set[str]:
    return {m.id for m in offence_matches(c, LAW) if m.shown}


def because(c: Case, oid: str) -> str:
    return " ".join(" ".join(m.because) for m in offence_matches(c, LAW) if m.id == oid)


# ---------------------------------------------------------------------------- seriousness


def test_a_liar_insult_is_not_a_menacing_or_grossly_offensive_message():
    liar = case(
        [incident("i1", 1, ["abuse"], exact_words="Everyone should know what a liar you are.")]
    )
    assert not {"mca_s1", "ca_s127_1", "osa_s181", "oapa_s16"} & ids(liar)
    text = json.dumps(check_case(liar, LAW, TODAY).to_dict())
    assert "Malicious communications" not in text and "menacing message" not in text


def test_grossly_offensive_abuse_may_be_malicious_communications():
    gross = case([incident("i1", 1, ["grossly_offensive"])])
    assert {"mca_s1", "ca_s127_1"} <= ids(gross)
    assert "C1 (1 October 2026) is recorded as grossly offensive" in because(gross, "mca_s1")


# ---------------------------------------------------------------------------- what was threatened


def test_a_threat_to_kill_is_section_16_and_section_181():
    kill = case([incident("i1", 1, ["threat_to_kill"])])
    assert {"oapa_s16", "osa_s181", "ca_s127_1"} <= ids(kill)
    assert "recorded as a threat to kill" in because(kill, "oapa_s16")
    finding = check_case(kill, LAW, TODAY).get("offence:oapa_s16")
    assert finding.title == "Threats to kill (OAPA 1861 s.16)"
    assert finding.text.startswith(LAW["offences"][4]["covers"])


def test_you_will_regret_it_is_not_a_threat_of_death_or_serious_harm():
    regret = case([incident("i1", 1, ["threat"], exact_words="You will regret it.")])
    assert not {"osa_s181", "oapa_s16"} & ids(regret)
    # A threat may still be a menacing message, and the label says that is why.
    assert "ca_s127_1" in ids(regret)
    assert "recorded as a threat, and a menacing message is covered" in because(regret, "ca_s127_1")
    assert check_case(regret, LAW, TODAY).get("offence:osa_s181") is None


def test_a_threat_of_serious_harm_is_section_181_but_not_section_16():
    harm = case([incident("i1", 1, ["threat_serious_harm"])])
    assert "osa_s181" in ids(harm) and "oapa_s16" not in ids(harm)


# ---------------------------------------------------------------------------- relationship


def test_a_stranger_is_never_controlling_or_coercive_behaviour():
    many = [incident(f"i{n}", n, ["monitoring", "contact", "abuse"]) for n in range(1, 6)]
    assert "sca_s76" not in ids(case(many, name="Unknown"))
    assert "sca_s76" not in ids(case(many, relationship="a stranger I have never met"))
    assert "sca_s76" not in ids(case(many, relationship="ex-colleague"))
    assert "sca_s76" not in ids(case(many, relationship="my business partner"))
    assert "sca_s76" not in ids(
        case([incident("i1", 1, ["monitoring"])], relationship="a stranger")
    )


def test_a_former_partner_may_be_controlling_or_coercive_behaviour_on_two_occasions():
    two = [incident("i1", 1, ["monitoring"]), incident("i2", 2, ["contact"])]
    ex = case(two, relationship="former partner (we separated in May 2026)")
    assert "sca_s76" in ids(ex)
    why = because(ex, "sca_s76")
    assert "2 incidents involve Mark Davies, from 1 October 2026 to 2 October 2026" in why
    assert "you describe Mark Davies as your former partner" in why
    # One incident is not repeated or continuous behaviour.
    assert "sca_s76" not in ids(case(two[:1], relationship="former partner"))
    for family in ("my brother", "mother-in-law", "cousin", "my ex", "ex-husband"):
        assert "sca_s76" in ids(case(two, relationship=family)), family


def test_relationship_words_come_from_the_data():
    def who(relationship=None, association=None):
        return Respondent(id="r", name="A B", relationship=relationship, association=association)

    assert connection(LAW, who("my ex-boyfriend")) == ["partner"]
    assert connection(LAW, who("stepfather")) == ["family"]
    assert connection(LAW, who("neighbour")) == [] and connection(LAW, None) == []
    # The category chosen in the interview decides, whatever the words say.
    assert connection(LAW, who("we used to go out", "colleague")) == []
    assert connection(LAW, who(None, "partner_not_lived_together")) == ["partner"]
    assert connection(LAW, who(None, "relative")) == ["family"]
    assert connection(LAW, who(None, "household")) == []  # associated, not personally connected


def test_a_colleague_chosen_as_the_category_is_never_personally_connected():
    two = [incident("i1", 1, ["monitoring"]), incident("i2", 2, ["contact"])]
    data = case(two, relationship="my ex from work").model_dump()
    data["respondents"][0]["association"] = "colleague"
    assert "sca_s76" not in ids(Case.model_validate(data))
    data["respondents"][0]["association"] = "cohabitant"
    assert "sca_s76" in ids(Case.model_validate(data))


# ---------------------------------------------------------------------------- number of incidents


def test_harassment_and_stalking_need_two_incidents_from_the_same_person():
    one = case([incident("i1", 1, ["contact"])])
    assert not {"pha_s2", "pha_s2a"} & ids(one)
    two = case([incident("i1", 1, ["contact"]), incident("i2", 2, ["contact"])])
    assert {"pha_s2", "pha_s2a", "ca_s127_2c"} <= ids(two)
    # Two incidents not linked to anyone are not one person's course of conduct.
    apart = case([incident("i1", 1, ["contact"], respondent=None),
                  incident("i2", 2, ["contact"], respondent=None)])  # fmt: skip
    assert not {"pha_s2", "pha_s2a", "ca_s127_2c"} & ids(apart)


def test_fear_of_violence_needs_two_threats():
    one = case([incident("i1", 1, ["threat"]), incident("i2", 2, ["abuse"])])
    assert "pha_s4" not in ids(one)
    two = case([incident("i1", 1, ["threat"]), incident("i2", 2, ["threat_to_kill"])])
    assert "pha_s4" in ids(two)


def test_stalking_with_serious_distress_needs_an_effect_or_two_threats():
    base = [incident("i1", 1, ["contact"]), incident("i2", 2, ["monitoring"])]
    assert "pha_s4a" not in ids(case(base))
    assert "pha_s4a" in ids(case(base, impact={"statement": "I stopped going out."}))
    assert "describes the effect on your daily life" in because(
        case(base, impact={"statement": "I stopped going out."}), "pha_s4a"
    )


# ---------------------------------------------------------------------------- unverified data


def test_unverified_offences_are_only_in_json_with_their_status():
    threat = case([incident("i1", 1, ["threat"])])
    matches = {m.id: m for m in offence_matches(threat, LAW)}
    assert matches["poa_s4a"].shown is False
    report = check_case(threat, LAW, TODAY)
    assert report.get("offence:poa_s4a") is None
    assert "Public Order" not in report.to_text()
    hidden = report.to_dict()["unverified_offences"]
    assert [(h["id"], h["status"]) for h in hidden] == [("poa_s4a", "unverified")]


def test_other_kind_alone_suggests_no_specific_offence():
    assert ids(case([incident("i1", 1, ["other"])])) == set()


def test_scotland_gets_no_england_and_wales_offences():
    kill = case([incident("i1", 1, ["threat_to_kill"])], jurisdiction="scotland")
    assert not {"oapa_s16", "osa_s181"} & ids(kill)
