"""Dates as people say them: rough dates kept with their precision, sorted, shown as given."""

from __future__ import annotations

import copy
from datetime import date

import yaml

from harassment_pack.case import load_case, number_incidents, save_case
from harassment_pack.dates import ApproxDate, parse_moment, sort_key, uk_date, uk_datetime
from harassment_pack.documents import BY_NAME
from harassment_pack.documents.common import CaseView
from harassment_pack.law import load_law

from .conftest import SAMPLES, copy_sample


def test_a_rough_date_keeps_its_precision_and_sorts_at_its_first_possible_day() -> None:
    march = parse_moment("March 2026")
    early_june = parse_moment("early June 2026")
    assert isinstance(march, ApproxDate) and march.precision == "month"
    assert (march.isoformat(), early_june.isoformat()) == ("2026-03", "2026-06-early")
    assert parse_moment("2026-06-early") == early_june == date(2026, 6, 1)
    assert parse_moment("late June 2026") == date(2026, 6, 21)
    assert uk_date(march) == "March 2026 (exact day not known)"
    assert uk_datetime(early_june) == "early June 2026 (exact day not known)"
    # Counting from a rough date gives an exact day (a deadline is never "roughly").
    assert type(march + (date(2026, 3, 2) - date(2026, 3, 1))) is date
    said = ("14/3/26 22:14", "early June 2026", "March 2026", "28/2/26", "mid March 2026")
    moments = [parse_moment(text) for text in said]
    ordered = [uk_datetime(m) for m in sorted(moments, key=sort_key)]
    assert ordered == [
        "28 February 2026",
        "March 2026 (exact day not known)",
        "mid March 2026 (exact day not known)",
        "14 March 2026, 22:14 (GMT)",
        "early June 2026 (exact day not known)",
    ]


def test_rough_dates_live_in_the_case_file_and_the_documents_say_so(tmp_path) -> None:
    case_dir = tmp_path / "case"
    copy_sample(SAMPLES / "minimal", case_dir)
    raw = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    first = raw["incidents"][0]
    raw["incidents"] = [
        {**copy.deepcopy(first), "id": "i1", "when": "2026-09-14T20:05:00+01:00"},
        {**copy.deepcopy(first), "id": "i2", "when": "2026-09",
         "summary": "A message some time in September."},
        {**copy.deepcopy(first), "id": "i3", "when": "early August 2026",
         "summary": "The first message."},
    ]  # fmt: skip
    (case_dir / "case.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    case = load_case(case_dir)
    save_case(case, case_dir)  # written back as the case file keeps it
    saved = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    assert [i["when"] for i in saved["incidents"]] == [
        "2026-09-14T20:05:00+01:00", "2026-09", "2026-08-early"]  # fmt: skip
    case = load_case(case_dir)
    assert number_incidents((i.id, i.when) for i in case.incidents) == {
        "i3": "C1", "i2": "C2", "i1": "C3"}  # fmt: skip

    law = load_law()
    chronology = str(BY_NAME["chronology"].context(CaseView(case, law)))
    assert "early August 2026 (exact day not known)" in chronology
    assert "September 2026 (exact day not known)" in chronology
    assert chronology.index("early August 2026") < chronology.index("September 2026 (exact")
    statement = str(BY_NAME["witness_statement"].context(CaseView(case, law)))
    assert "In September 2026 (exact day not known): A message some time in September." in (
        statement
    )
    assert "On 14/09/2026 at 20:05 (BST)" in statement
