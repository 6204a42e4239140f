"""Evidence without YAML: list, link, unlink and remove exhibits from the command line.

Incidents are named C1, C2 … as the chronology numbers them (date order), never by the ids
stored in case.yaml; labels are retired, not reused, when an exhibit is removed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from harassment_pack.case import load_case
from harassment_pack.cli import main
from harassment_pack.law import load_law
from harassment_pack.law.checks import check_case

from .conftest import SAMPLES, TODAY, copy_sample


@pytest.fixture()
def jane(tmp_path) -> Path:
    target = tmp_path / "jane"
    copy_sample(SAMPLES / "jane-smith", target)
    return target


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_shows_label_file_description_and_incidents_by_chronology_number(jane, capsys):
    case = load_case(jane)
    numbers = case.incident_numbers()
    # In the sample the incident stored as i17 happened before i9: the list must use C9.
    assert numbers["i17"] == "C9" and numbers["i9"] == "C10"
    code, out, _ = _run(capsys, "evidence", "list", jane)
    assert code == 0
    assert f"{len(case.evidence)} exhibit(s)" in out
    threat = next(e for e in case.evidence if e.file.endswith("whatsapp-threat.png"))
    shown = [numbers[i.id] for i in case.incidents_in_order() if threat.id in i.evidence]
    block = out.split(f"  {threat.label}  {threat.file}")[1].split("\n  JS/")[0]
    assert threat.description in block
    assert f"incidents: {', '.join(shown)}" in block
    assert re.search(r"\bi\d+\b", out) is None  # no internal incident id is ever shown


def test_link_and_unlink_by_chronology_number(jane, capsys):
    case = load_case(jane)
    c9 = case.incident_numbered("C9")
    assert c9 is not None and c9.id == "i17"
    label = case.exhibit_labels()[case.evidence[1].id]
    code, out, _ = _run(capsys, "evidence", "link", jane, label.lower(), "--incident", "c9", "C1")
    assert code == 0 and f"Exhibit {label} shows incident(s) C9, C1." in out
    after = load_case(jane)
    assert after.evidence[1].id in after.incident_numbered("C9").evidence
    assert after.evidence[1].id in after.incident_numbered("C1").evidence
    # The check report and the evidence list now name C9 for it too.
    report = check_case(after, load_law(), TODAY).to_text(colour=False, width=100)
    assert re.search(r"\bi\d+\b", report) is None
    _run(capsys, "evidence", "link", jane, label, "--incident", "C9")  # twice: no duplicate
    assert load_case(jane).incident_numbered("C9").evidence.count(after.evidence[1].id) == 1
    code, out, _ = _run(capsys, "evidence", "unlink", jane, label, "--incident", "C9")
    assert code == 0 and "no longer shows incident(s) C9" in out
    assert after.evidence[1].id not in load_case(jane).incident_numbered("C9").evidence


def test_mistakes_are_one_line(jane, capsys):
    for args, expected in [
        (("link", jane, "JS/99", "--incident", "C1"), "JS/99: "),
        (("link", jane, "JS/1", "--incident", "C99"), "no incident C99"),
        (("link", jane, "JS/1", "--incident", "i3"), "numbered as in the chronology"),
        (("remove", jane, "XY/1"), "evidence list"),
        (("list", jane / "nowhere"), "no such case folder"),
    ]:
        code, out, err = _run(capsys, "evidence", *args)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and expected in err and "Traceback" not in err


def test_remove_retires_the_label_and_keeps_the_file(jane, capsys, tmp_path):
    case = load_case(jane)
    last = case.evidence[-1]
    cited_by = [i.id for i in case.incidents if last.id in i.evidence]
    assert cited_by
    code, out, _ = _run(capsys, "evidence", "remove", jane, last.label)
    assert code == 0 and "will not be used again" in out
    assert (jane / last.file).is_file()  # the file stays unless --delete-file
    after = load_case(jane)
    assert last.id not in {e.id for e in after.evidence}
    assert all(last.id not in i.evidence for i in after.incidents)

    # The next exhibit gets a new number, never the retired one.
    shot = tmp_path / "new.png"
    Image.new("RGB", (50, 40), (10, 200, 10)).save(shot)
    code, out, _ = _run(capsys, "evidence", "add", jane, shot, "--incident", "C2")
    number = int(last.label.split("/")[1])
    assert f"Exhibit JS/{number + 1}:" in out
    added = load_case(jane).evidence[-1]
    assert added.label == f"JS/{number + 1}"
    assert added.id in load_case(jane).incident_numbered("C2").evidence

    # Removing the newest exhibit too: the one after it is still numbered past both.
    code, out, _ = _run(capsys, "evidence", "remove", jane, added.label, "--delete-file")
    assert code == 0 and "is deleted" in out
    assert not (jane / added.file).exists()
    assert load_case(jane).next_exhibit_number == number + 2


def test_delete_file_keeps_a_file_another_exhibit_still_uses(jane, capsys):
    from harassment_pack.case import save_case

    case = load_case(jane)
    twin = case.evidence[1].model_copy(update={"id": "e-twin", "label": "JS/50"})
    case.evidence.append(twin)
    save_case(case, jane)
    code, out, _ = _run(capsys, "evidence", "remove", jane, "JS/50", "--delete-file")
    assert code == 0 and "still in the case folder" in out
    assert (jane / twin.file).is_file()
