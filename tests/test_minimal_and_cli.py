"""The minimal sample (most documents do not apply), --only, and the command line itself."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.cli import main
from harassment_pack.errors import UserError

from .conftest import SAMPLES, TODAY, docx_text


@pytest.fixture(scope="module")
def minimal_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("minimal")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "harassment_pack",
            "build",
            str(SAMPLES / "minimal"),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result, out


def test_minimal_case_skips_what_does_not_apply_with_reasons(minimal_run):
    result, out = minimal_run
    assert result.returncode == 0, result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("Skipping")]
    from harassment_pack.documents import DOCUMENTS

    assert len(skipped) == len(DOCUMENTS) - 3  # all but chronology, schedule and next steps
    assert any("Confidential schedule" in line and "nothing in the case is marked" in line
               for line in skipped)  # fmt: skip
    assert any("Report to Ofcom" in line and "no report to a platform" in line for line in skipped)
    # One message is not yet a course of conduct: no court documents unless asked for.
    assert any("Witness statement" in line and "at least two occasions" in line
               for line in skipped)  # fmt: skip
    assert any("Application for an injunction" in line for line in skipped)
    assert any("Professional Standards" in line and "no report to the police" in line
               for line in skipped)  # fmt: skip
    built = sorted(p.name for p in out.glob("*.docx"))
    assert built == ["chronology.docx", "evidence_schedule.docx", "next_steps.docx"]
    pack = PdfReader(out / "pack.pdf")
    assert f"Page {len(pack.pages)} of {len(pack.pages)}" in pack.pages[-1].extract_text()


def test_minimal_next_steps_says_what_was_not_prepared(minimal_run):
    _, out = minimal_run
    text = docx_text(out / "next_steps.docx")
    assert "Not prepared: Report to Ofcom about the platform, because" in text
    assert "court-bundle.pdf" not in text
    # What to keep recording, and when a claim becomes possible; no 6-year date as if a claim
    # could be brought now.
    assert "Keep recording: when a claim becomes possible" in text
    assert "A second incident involving the same person can make a course of conduct" in text
    assert "--only witness_statement" in text
    assert "14 September 2032" not in text and "6-year limit)" not in text
    assert "Summary-only charges" not in text  # one insult: no harassment time limit
    assert "No evidence files have been added" in docx_text(out / "evidence_schedule.docx")


def test_a_court_document_asked_for_by_name_is_built_before_a_course_of_conduct(tmp_path):
    from harassment_pack.build import build_case

    result = build_case(SAMPLES / "minimal", tmp_path, only=["witness_statement"], today=TODAY)
    assert [d.name for d in result.documents] == ["witness_statement"]
    statement = docx_text(tmp_path / "witness_statement.docx")
    assert "I do not know who is responsible" in statement
    # An unknown defendant is named by the account they use, its handle spelt as it is.
    assert "PERSON UNKNOWN operating the Instagram account @quiet_observer_4417" in statement
    assert "No exhibits" in statement


def test_only_builds_the_named_documents(tmp_path):
    from harassment_pack.build import build_case

    result = build_case(SAMPLES / "jane-smith", tmp_path, only=["evidence_schedule"], today=TODAY)
    assert [d.name for d in result.documents] == ["evidence_schedule"]
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["evidence_schedule.pdf", "pack.pdf"]


def _commands(parser=None, prefix=()):
    """Every command and sub-command of the real parser, e.g. ('evidence', 'link')."""
    import argparse

    from harassment_pack.cli import _parser

    parser = parser or _parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from _commands(sub, (*prefix, name))


@pytest.mark.parametrize("command", [" ".join(c) for c in _commands()])
def test_every_command_has_help_ending_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command.split(), "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out.strip()
    assert help_text.splitlines()[-1].startswith("Example: harassment-pack " + command)


def test_the_help_test_sees_the_evidence_commands():
    assert {"evidence list", "evidence link", "evidence unlink", "evidence remove"} <= {
        " ".join(c) for c in _commands()
    }


def test_doctor_finds_libreoffice_and_fonts(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "LibreOffice" in out and "font Liberation Sans: installed" in out


def test_a_firms_own_templates_are_used_with_the_defaults_for_the_rest(tmp_path, capsys):
    """--templates DIR need not hold every document: the rest come from the defaults, and the
    build says which ones came from DIR (real LibreOffice output checked)."""
    from docx import Document
    from pypdf import PdfReader

    from harassment_pack.build import default_templates_dir

    firm = tmp_path / "firm"
    firm.mkdir()
    document = Document(str(default_templates_dir() / "evidence_schedule.docx"))
    document.add_paragraph("Prepared by Example & Co LLP for {{ applicant.name }}")
    document.save(str(firm / "evidence_schedule.docx"))
    Document().save(str(firm / "chronolgy.docx"))  # misspelt: reported, not used
    out = tmp_path / "out"
    code = main(["build", str(SAMPLES / "minimal"), "-o", str(out), "--templates", str(firm),
                 "--only", "evidence_schedule", "chronology"])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr()
    assert f"Templates from {firm}: evidence_schedule.docx; the default templates for the rest" in (
        printed.err
    )
    assert "chronolgy.docx: not used, no document is called that" in printed.err
    assert f"{out / 'evidence_schedule.docx'} (your template)" in printed.out
    assert f"{out / 'chronology.docx'}\n" in printed.out
    schedule = "".join(p.extract_text() for p in PdfReader(out / "evidence_schedule.pdf").pages)
    assert "Prepared by Example & Co LLP for Sam Taylor" in schedule
    chronology = "".join(p.extract_text() for p in PdfReader(out / "chronology.pdf").pages)
    assert "Harassment chronology" in chronology

    with pytest.raises(UserError, match=r"--templates .*nowhere: no such folder"):
        build_case(SAMPLES / "minimal", tmp_path / "o", templates_dir=tmp_path / "nowhere")


def _firm_error(tmp_path, change) -> str:
    """The one-line error a firm's broken evidence_schedule.docx gives."""
    from docx import Document

    from harassment_pack.build import default_templates_dir

    firm = tmp_path / "firm"
    firm.mkdir(exist_ok=True)
    document = Document(str(default_templates_dir() / "evidence_schedule.docx"))
    change(document)
    document.save(str(firm / "evidence_schedule.docx"))
    with pytest.raises(UserError) as error:
        build_case(SAMPLES / "jane-smith", tmp_path / "out", only=["evidence_schedule"],
                   templates_dir=firm, today=TODAY)  # fmt: skip
    message = str(error.value)
    assert "\n" not in message and message.startswith(str(firm / "evidence_schedule.docx"))
    return message


def _cell(document, text: str) -> None:
    """Put ``text`` in the exhibits table, row 3 (the repeated row), cell 5."""
    runs = document.tables[0].rows[2].cells[4].paragraphs[0].runs
    runs[0].text = text
    for run in runs[1:]:
        run.text = ""


def test_a_template_mistake_names_the_paragraph_or_table_cell(tmp_path):
    bad_paragraph = _firm_error(tmp_path, lambda d: d.add_paragraph("For {{ applicant.nmae }}"))
    assert "paragraph 10 (\u201cFor {{ applicant.nmae }}\u201d)" in bad_paragraph
    assert "has no attribute 'nmae'" in bad_paragraph

    bad_cell = _firm_error(tmp_path, lambda d: _cell(d, "{{ row.fiel }}"))
    assert "table 1, row 3, cell 5 (\u201c{{ row.fiel }}\u201d)" in bad_cell

    syntax = _firm_error(tmp_path, lambda d: d.add_paragraph("Dated {{ today + }}"))
    assert "paragraph 10 (\u201cDated {{ today + }}\u201d)" in syntax

    unclosed = _firm_error(tmp_path, lambda d: d.add_paragraph("{% if applicant.name %} Hi"))
    assert "paragraph 10 (\u201c{% if applicant.name %} Hi\u201d)" in unclosed
    assert "needs to be closed is 'if'" in unclosed

    footer = _firm_error(
        tmp_path, lambda d: d.sections[0].footer.add_paragraph("{{ short_title | shout }}")
    )
    assert "in the footer (\u201c{{ short_title | shout }}\u201d)" in footer

    (tmp_path / "firm" / "evidence_schedule.docx").write_text("not a Word file")
    with pytest.raises(UserError, match=r"evidence_schedule\.docx: is not a Word document"):
        build_case(SAMPLES / "jane-smith", tmp_path / "out", only=["evidence_schedule"],
                   templates_dir=tmp_path / "firm", today=TODAY)  # fmt: skip
