"""The case checks: each rule on a small case built here, against a fixed "today"."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from harassment_pack.case import Case
from harassment_pack.cli import main
from harassment_pack.dates import uk_date
from harassment_pack.law import load_law
from harassment_pack.law.checks import SECTIONS, check_case
from harassment_pack.law.deadlines import Deadline, add_months

from .conftest import SAMPLES

TODAY = date(2026, 11, 24)
LAW = load_law()


def incident(iid: str, when: str, kinds: list[str], respondent: str | None = "r1", **extra: Any):
    return {"id": iid, "when": when, "platform": "WhatsApp", "respondent": respondent,
            "kinds": kinds, "summary": "A message.", **extra}  # fmt: skip


def make_case(incidents: list[dict[str, Any]], **extra: Any) -> Case:
    data: dict[str, Any] = {
        "applicant": {"full_name": "Jane Smith", "initials": "JS"},
        "respondents": [{"id": "r1", "name": "Mark Davies"}, {"id": "r2", "name": "Ann Lee"}],
        "incidents": incidents,
        **extra,
    }
    return Case.model_validate(data)


def check(case: Case, today: date = TODAY):
    return check_case(case, LAW, today)


# ---------------------------------------------------------------------------- urgent


def test_threat_to_kill_is_urgent_with_999_and_no_promised_timescale():
    report = check(make_case([incident("i1", "2026-11-01", ["threat_to_kill"])]))
    threats = report.get("threats")
    assert threats is not None and threats.level == "alert"
    assert threats.title == "Threats to kill you"
    assert "C1 (1 November 2026)" in threats.text
    assert report.intros["urgent"][0] == "If you are in immediate danger, call 999."
    court = report.get("urgent_injunction")
    assert court is not None and "without notice" in court.text
    assert LAW["wording"]["no_timescale"]["text"] in court.text


def test_plain_threat_is_urgent_too():
    report = check(make_case([incident("i1", "2026-11-01", ["threat"])]))
    assert report.get("threats").title == "Threats against you"


def test_intimate_image_threat_offers_both_age_routes():
    report = check(make_case([incident("i1", "2026-11-01", ["intimate_image_threat"])]))
    images = report.get("intimate_images")
    assert images is not None and "threats to share" in images.text
    adult, child = images.items
    assert adult.startswith("If you are 18 or over")
    assert LAW["helplines"]["revenge_porn_helpline"]["tel"] in adult
    assert child.startswith("If you are under 18")
    assert LAW["helplines"]["report_remove"]["name"] in child


def test_stalking_pattern_needs_two_such_incidents_from_the_same_person():
    two = [incident("i1", "2026-11-01", ["contact"]), incident("i2", "2026-11-03", ["monitoring"])]
    report = check(make_case(two))
    finding = report.get("stalking_pattern:r1")
    assert finding is not None and "Mark Davies" in finding.title
    assert LAW["wording"]["spo_request"]["text"] in finding.text
    assert any(LAW["helplines"]["national_stalking_helpline"]["tel"] in i for i in finding.items)

    split = [incident("i1", "2026-11-01", ["contact"]),
             incident("i2", "2026-11-03", ["contact"], respondent="r2")]  # fmt: skip
    assert not check(make_case(split)).codes("urgent")
    mixed = [incident("i1", "2026-11-01", ["contact"]), incident("i2", "2026-11-03", ["abuse"])]
    assert not check(make_case(mixed)).codes("urgent")


def test_nothing_urgent_still_says_999():
    report = check(make_case([incident("i1", "2026-11-01", ["abuse"])]))
    assert report.codes("urgent") == []
    assert "call 999" in report.intros["urgent"][0]
    assert "Nothing in your case file needs urgent action." in report.intros["urgent"]


# ---------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("last", "due", "level"),
    [
        ("2026-05-01", date(2026, 11, 1), "alert"),  # passed
        ("2026-06-10", date(2026, 12, 10), "warning"),  # past 5 months: less than a month left
        ("2026-10-01", date(2027, 4, 1), "note"),
    ],
)
def test_summary_limit_runs_six_months_from_the_last_incident(last, due, level):
    case = make_case([incident("i0", "2026-01-05", ["abuse"]), incident("i1", last, ["abuse"])])
    finding = check(case).get("summary_limit:r1")
    assert finding is not None
    assert finding.due == due and finding.level == level
    assert f"end on {uk_date(due)}" in finding.text
    if level == "alert":
        assert "That date has passed" in finding.text
    if level == "warning":
        assert "Less than a month is left" in finding.text


def test_summary_limit_is_counted_per_person():
    case = make_case([incident("i0", "2026-08-01", ["abuse"]),
                      incident("i1", "2026-09-01", ["abuse"]),
                      incident("i2", "2026-10-01", ["abuse"], respondent="r2"),
                      incident("i3", "2026-10-15", ["abuse"], respondent="r2")])  # fmt: skip
    report = check(case)
    assert report.get("summary_limit:r1").due == date(2027, 3, 1)
    assert report.get("summary_limit:r2").due == date(2027, 4, 15)
    assert "involving Ann Lee" in report.get("summary_limit:r2").title


def test_one_insult_gets_no_harassment_time_limit():
    report = check(make_case([incident("i1", "2026-09-01", ["abuse"])]))
    assert not any(code.startswith("summary_limit") for code in report.codes())


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 3, 15), -6) == date(2025, 9, 15)


def test_deadline_states():
    deadline = Deadline("x", date(2026, 12, 1), "", date(2026, 6, 1), warn_from=date(2026, 11, 20))
    assert deadline.state(date(2026, 11, 19)) == "open"
    assert deadline.state(date(2026, 11, 20)) == "soon"
    assert deadline.state(date(2026, 12, 1)) == "soon"
    assert deadline.state(date(2026, 12, 2)) == "passed"


def test_s127_three_years_and_six_months_from_evidence():
    police = [{"id": "p1", "force": "Thames Valley Police", "date": "2026-08-23",
               "crime_reference": "43/1/26"}]  # fmt: skip
    case = make_case([incident("i1", "2026-06-02", ["grossly_offensive"])], police_reports=police)
    finding = check(case).get("s127_limit")
    # Dated by the earliest day it may fall: 6 months from the first police report.
    assert finding is not None and finding.due == date(2027, 2, 23)
    assert "2 June 2029" in finding.text
    assert "23 February 2027" in finding.text  # 6 months after the first police report
    assert LAW["statutes"]["ca_2003_s127"]["short"] in finding.title
    # Impersonation is not a s.127 message; and s.127(5) is not stated for Scotland.
    fake = make_case([incident("i1", "2026-06-02", ["impersonation"])])
    assert check(fake).get("s127_limit") is None
    scot = make_case([incident("i1", "2026-06-02", ["abuse"])], jurisdiction="scotland")
    assert check(scot).get("s127_limit") is None


def test_civil_limit_six_years_three_in_scotland_and_unknown_in_northern_ireland():
    incidents = [incident("i1", "2026-06-02", ["abuse"]), incident("i2", "2026-07-02", ["abuse"])]
    assert check(make_case(incidents)).get("civil_limit").due == date(2032, 6, 2)
    scot = check(make_case(incidents, jurisdiction="scotland")).get("civil_limit")
    assert scot.due == date(2029, 6, 2) and "3-year" in scot.title
    ni = check(make_case(incidents, jurisdiction="northern_ireland")).get("civil_limit")
    assert ni.due is None and "does not hold the time limit" in ni.text
    old = check(make_case([incident("i1", "2020-10-01", ["abuse"])])).get("civil_limit")
    assert old.due == date(2026, 10, 1) and old.level == "alert"


@pytest.mark.parametrize(
    ("letter", "due", "level"),
    [
        ("2026-11-10", date(2026, 12, 8), "note"),
        ("2026-10-27", date(2026, 11, 24), "warning"),  # today is day 28: still in time
        ("2026-10-26", date(2026, 11, 23), "alert"),  # day 28 was yesterday
    ],
)
def test_review_window_is_28_days_starting_the_day_after_the_outcome(letter, due, level):
    police = [{"id": "p1", "force": "Kent Police", "date": "2026-08-01", "crime_reference": "X"}]
    case = make_case([incident("i1", "2026-07-01", ["abuse"])], police_reports=police,
                     psd_complaint={"outcome_letter_date": letter})  # fmt: skip
    finding = check(case).get("review_window")
    assert finding.due == due and finding.level == level
    assert uk_date(due) in finding.text


def test_review_window_without_an_outcome_date_explains_the_rule():
    police = [{"id": "p1", "force": "Kent Police", "date": "2026-08-01", "crime_reference": "X"}]
    case = make_case([incident("i1", "2026-07-01", ["abuse"])], police_reports=police,
                     psd_complaint={})  # fmt: skip
    finding = check(case).get("review_window")
    assert finding.due is None and "28 days" in finding.text
    assert "note its date" in finding.text and finding.due is None
    assert check(make_case([incident("i1", "2026-07-01", ["abuse"])])).get("review_window") is None


# ---------------------------------------------------------------------------- course of conduct


def test_one_incident_is_not_a_course_of_conduct_and_says_why():
    report = check(make_case([incident("i1", "2026-11-01", ["abuse"])]))
    weak = report.get("course_of_conduct_weak")
    assert weak is not None and weak.level == "warning"
    assert "only one incident" in weak.text
    assert "at least two occasions" in weak.text and "s.7(3)" in weak.text
    # Harassment needs two occasions, so with one incident it is not offered as relevant.
    assert report.get("offence:pha_s2") is None


def test_two_incidents_with_different_people_are_not_a_course_of_conduct():
    case = make_case([incident("i1", "2026-11-01", ["abuse"]),
                      incident("i2", "2026-11-02", ["abuse"], respondent="r2")])  # fmt: skip
    weak = check(case).get("course_of_conduct_weak")
    assert weak is not None and "no two involve the same person" in weak.text


def test_two_incidents_with_the_same_person_are_enough_occasions():
    case = make_case([incident("i1", "2026-11-01", ["abuse"]),
                      incident("i2", "2026-11-02", ["abuse"]),
                      incident("i3", "2026-11-03", ["hacking"], respondent=None)])  # fmt: skip
    report = check(case)
    assert report.get("course_of_conduct_weak") is None
    met = report.get("course_of_conduct:r1")
    assert met.level == "ok" and "2 incidents involving Mark Davies" in met.text
    unlinked = report.get("unlinked_incidents")
    assert unlinked is not None and "C3 (3 November 2026) is not linked" in unlinked.text


# ---------------------------------------------------------------------------- what may apply


def test_candidate_offences_are_information_with_sections():
    report = check(make_case([incident("i1", "2026-11-01", ["threat_to_kill"])]))
    assert "not advice" in report.intros["may_apply"][0]
    finding = report.get("offence:osa_s181")
    assert finding is not None
    assert LAW["statutes"]["osa_2023_s181"]["short"] in finding.title
    assert finding.items[0] == (
        "May be relevant because C1 (1 November 2026) is recorded as a threat to kill or to "
        "cause serious harm."
    )
    assert finding.items[-1] == "Incidents: C1 (1 November 2026)"
    assert "(Details as checked in July 2026.)" in finding.text  # partly verified: dated
    scot = check(make_case([incident("i1", "2026-11-01", ["threat_to_kill"])],
                           jurisdiction="scotland"))  # fmt: skip
    assert scot.get("offence:osa_s181") is None


def test_victims_code_rights_follow_the_recorded_facts():
    police = [{"id": "p1", "force": "Kent Police", "date": "2026-08-01",
               "written_confirmation": False, "updates_given": False,
               "last_contact": "2026-09-01"}]  # fmt: skip
    report = check(make_case([incident("i1", "2026-07-01", ["abuse"])], police_reports=police))
    items = report.get("victims_code").items
    assert [item.split(":")[0] for item in items] == ["Right 2", "Right 3", "Right 6"]
    assert "since 1 September 2026" in items[2]
    police[0].update(crime_reference="X", written_confirmation=True, updates_given=None)
    report = check(make_case([incident("i1", "2026-07-01", ["abuse"])], police_reports=police))
    assert report.get("victims_code") is None


# ---------------------------------------------------------------------------- gaps


def test_clean_case_has_no_gaps():
    evidence = [{"id": "e1", "file": "evidence/a.png", "description": "Screenshot"}]
    case = make_case([incident("i1", "2026-11-01", ["abuse"], evidence=["e1"])], evidence=evidence)
    assert check(case).codes("gaps") == ["no_gaps"]


def test_incidents_without_evidence_and_evidence_never_cited():
    evidence = [{"id": "e1", "file": "evidence/a.png", "description": "Screenshot A"},
                {"id": "e2", "file": "evidence/b.png", "description": "Screenshot B"}]  # fmt: skip
    case = make_case([incident("i1", "2026-11-01", ["abuse"], evidence=["e1"]),
                      incident("i2", "2026-11-02", ["abuse"])], evidence=evidence)  # fmt: skip
    report = check(case)
    assert report.get("no_evidence").items == ("C2 (2 November 2026), WhatsApp",)
    assert report.get("evidence_not_cited").items == ("JS/2: Screenshot B",)


def test_unknown_ids_are_gaps():
    case = make_case([incident("i1", "2026-11-01", ["abuse"], evidence=["e9"], respondent="r7")])
    items = " ".join(check(case).get("unknown_ids").items)
    assert "'e9'" in items and "'r7'" in items


def test_reports_without_reference_numbers():
    platform = [
        {"id": "p1", "platform": "X", "date": "2026-11-02"},
        {"id": "p2", "platform": "TikTok", "date": "2026-11-02", "reference": "T1"},
    ]
    police = [{"id": "q1", "force": "Kent Police", "date": "2026-11-02"},
              {"id": "q2", "force": "Surrey Police", "date": "2026-11-02",
               "no_reference_reason": "Told an incident number only by phone"}]  # fmt: skip
    report = check(make_case([incident("i1", "2026-11-01", ["abuse"])],
                             platform_reports=platform, police_reports=police))  # fmt: skip
    assert report.get("platform_no_reference").items == ("X, reported on 2 November 2026",)
    assert report.get("police_no_reference").items == ("Kent Police, reported on 2 November 2026",)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["JS/1", "JS/3"], "Missing from the numbering: JS/2."),
        (["JS/1", None, "JS/4"], "Missing from the numbering: JS/3."),  # None is derived: JS/2
        (["JS/1", "JS/1"], "JS/1 is used twice (e1 and e2)."),
        (["AB/1", None], "AB/1 (e1) does not start with your initials, JS."),
        (["Exhibit one", None], "Exhibit one (e1) is not in the form JS/1."),
        (["JS/2", "JS/1"], "The labels are not in the same order as the evidence list."),
    ],
)
def test_exhibit_label_gaps(labels, expected):
    evidence = [
        {"id": f"e{n}", "file": f"evidence/{n}.png", "description": "x", "label": label}
        for n, label in enumerate(labels, start=1)
    ]
    cited = [item["id"] for item in evidence]
    case = make_case([incident("i1", "2026-11-01", ["abuse"], evidence=cited)], evidence=evidence)
    finding = check(case).get("exhibit_labels")
    assert finding is not None and expected in finding.items


def test_derived_labels_have_no_gaps():
    evidence = [{"id": f"e{n}", "file": f"evidence/{n}.png", "description": "x"} for n in (1, 2)]
    case = make_case([incident("i1", "2026-11-01", ["abuse"], evidence=["e1", "e2"])],
                     evidence=evidence)  # fmt: skip
    assert check(case).get("exhibit_labels") is None


def test_dates_out_of_order_or_in_the_future():
    evidence = [{"id": "e1", "file": "evidence/a.png", "description": "x",
                 "captured": "2026-10-31T10:00:00+00:00"}]  # fmt: skip
    platform = [{"id": "p1", "platform": "X", "date": "2026-11-05", "reference": "1",
                 "response_date": "2026-11-04", "incidents": ["i2"]}]  # fmt: skip
    police = [{"id": "q1", "force": "Kent Police", "date": "2026-11-06", "crime_reference": "C",
               "last_contact": "2026-11-07",
               "contacts": [{"date": "2026-11-05", "what": "Called"},
                            {"date": "2026-11-08", "what": "Called again"}]}]  # fmt: skip
    case = make_case(
        [incident("i1", "2026-11-01T09:00:00+00:00", ["abuse"], evidence=["e1"]),
         incident("i2", "2026-11-20", ["abuse"]),
         incident("i3", "2026-12-25", ["abuse"])],
        evidence=evidence, platform_reports=platform, police_reports=police,
        psd_complaint={"outcome_letter_date": "2027-01-02"},
    )  # fmt: skip
    items = check(case).get("dates").items
    expected = [
        "C3 is dated 25 December 2026, which is after today.",
        "JS/1 was captured on 31 October 2026, before the incident it shows, C1 (1 November 2026).",
        "The X report of 5 November 2026 has a reply dated 4 November 2026, before it was made.",
        "The X report of 5 November 2026 covers C2 (20 November 2026), which is after the report.",
        "The report to Kent Police of 6 November 2026 lists police contact on 5 November 2026, "
        "before the report was made.",
        "The report to Kent Police of 6 November 2026 gives the last contact as 7 November 2026, "
        "but lists a later contact on 8 November 2026.",
        "The police complaint outcome letter is dated 2 January 2027, which is after today.",
    ]
    for line in expected:
        assert line in items, line


def test_near_miss_names_are_flagged_but_other_people_are_not():
    case = make_case([
        incident("i1", "2026-11-01", ["abuse"], exact_words="Mark Davis here. Tell Claire Smith."),
        incident("i2", "2026-11-02", ["abuse"], summary="Mark messaged my sister in June."),
    ])  # fmt: skip
    finding = check(case).get("names")
    assert finding is not None
    assert finding.items == ('"Davis" in C1: did you mean "Davies"?',)
    twins = make_case([incident("i1", "2026-11-01", ["abuse"])],
                      respondents=[{"id": "r1", "name": "Mark Davies"},
                                   {"id": "r2", "name": "Mark Davis"}])  # fmt: skip
    assert "are they one person?" in check(twins).get("names").items[0]
    same = make_case([incident("i1", "2026-11-01", ["abuse"], summary="Mark Davies wrote.")])
    assert check(same).get("names") is None


# ---------------------------------------------------------------------------- jurisdiction


def test_scotland_gets_the_differences_and_no_england_and_wales_routes():
    case = make_case([incident("i1", "2026-11-01", ["threat_to_kill"]),
                      incident("i2", "2026-11-02", ["contact"])], jurisdiction="scotland",
                     psd_complaint={})  # fmt: skip
    report = check(case)
    finding = report.get("jurisdiction")
    assert finding.items == tuple(LAW["jurisdictions"]["scotland"]["differences"])
    assert "County Court" not in report.get("urgent_injunction").text
    assert report.get("review_window") is None
    assert not any(code.startswith("summary_limit") for code in report.codes())
    assert "does not hold the time limits" in report.get("criminal_limits_unchecked").text
    assert check(make_case([incident("i1", "2026-11-01", ["abuse"])])).get("jurisdiction") is None


# ---------------------------------------------------------------------------- output and CLI


def test_text_and_json_output():
    report = check(make_case([incident("i0", "2026-10-01", ["contact"]),
                              incident("i1", "2026-11-01", ["threat_to_kill"])]))  # fmt: skip
    plain = report.to_text(colour=False)
    assert "\033[" not in plain
    headings = [title.upper() for title in SECTIONS.values()]
    shown = [line for line in plain.splitlines() if line in headings]
    assert shown == [
        "URGENT", "WHICH ROUTE FITS, BEST FIRST", "DEADLINES", "COURSE OF CONDUCT",
        "WHAT MAY APPLY", "GAPS",
    ]  # fmt: skip
    assert "\033[1;31mURGENT\033[0m" in report.to_text(colour=True)
    data = json.loads(report.to_json())
    assert [s["id"] for s in data["sections"]] == [
        "urgent", "routes", "deadlines", "course_of_conduct", "may_apply", "gaps"
    ]  # fmt: skip
    deadlines = next(s for s in data["sections"] if s["id"] == "deadlines")["findings"]
    summary = next(f for f in deadlines if f["code"] == "summary_limit:r1")
    assert summary["due"] == "2027-05-01" and summary["due_text"] == "1 May 2027"


def test_cli_check_on_the_sample(capsys):
    assert main(["check", str(SAMPLES / "jane-smith")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Checked on ") and "\033[" not in out  # not a terminal: no colour
    for heading in ("URGENT", "DEADLINES", "COURSE OF CONDUCT", "WHAT MAY APPLY", "GAPS"):
        assert f"\n{heading}\n" in out
    assert main(["check", str(SAMPLES / "jane-smith"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    urgent = next(s for s in data["sections"] if s["id"] == "urgent")
    codes = {f["code"] for f in urgent["findings"]}
    assert {"threats", "intimate_images", "stalking_pattern:r1", "urgent_injunction"} <= codes


def test_cli_check_on_a_missing_folder(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("harassment-pack: ") and err.count("\n") == 1


def test_victims_code_rights_are_rechecked_against_the_code_in_force():
    """The build date is compared with the window in which the 2021 Code is known to be in
    operation (law data), on both sides of each end of it."""
    from harassment_pack.law import load_law
    from harassment_pack.law.checks import victims_code_in_force

    law = load_law()
    edition = law["statutes"]["victims_code"]["edition"]
    start, confirmed = edition["in_force_from"], edition["confirmed_current_on"]
    assert start == date(2021, 4, 1) and edition["in_force_until"] is None
    assert not victims_code_in_force(law, start - timedelta(days=1))
    assert victims_code_in_force(law, start) and victims_code_in_force(law, confirmed)
    assert not victims_code_in_force(law, confirmed + timedelta(days=1))
    superseded = {"statutes": {"victims_code": {"edition": {**edition, "in_force_until": start
                                                            + timedelta(days=10)}}}}  # fmt: skip
    assert victims_code_in_force(superseded, start + timedelta(days=9))
    assert not victims_code_in_force(superseded, start + timedelta(days=10))

    police = [{"id": "p1", "force": "Kent Police", "date": "2026-05-01", "crime_reference": "X"}]
    case = make_case([incident("i1", "2026-04-01", ["abuse"])], police_reports=police)
    assert check(case, today=confirmed).get("victims_code_recheck") is None
    later = check(case, today=confirmed + timedelta(days=1)).get("victims_code_recheck")
    assert later is not None and later.level == "warning"
    assert (
        "checked against the 2021 Code, which was confirmed as the Code in operation on "
        "1 June 2026" in later.text
    )
    assert "does not cite them as current" in later.text


def test_a_description_that_names_another_day_is_pointed_out_for_the_solicitor():
    inside = incident("i1", "2026-09-19", ["contact"])
    inside["summary"] = "After I blocked his number on 27 August 2026, he emailed me."
    opening = incident("i2", "2026-06-09", ["contact"])
    opening["summary"] = "On 3 June 2026 I asked him to stop. Six days later he wrote again."
    found = check(make_case([inside])).get("other_days")
    assert found is not None and "also mentions 27 August 2026, before" in found.items[0]
    # A sentence that opens with its day is told on that day in the statement: nothing to say.
    assert check(make_case([opening])).get("other_days") is None
