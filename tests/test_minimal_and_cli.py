"""The minimal sample (most documents do not apply), --only, and the command line itself."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pypdf import PdfReader

from harassment_pack.cli import main

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
    assert len(skipped) == 4
    assert any("Report to Ofcom" in line and "no report to a platform" in line for line in skipped)
    assert any("Application for an injunction" in line for line in skipped)
    assert any("Professional Standards" in line and "no report to the police" in line
               for line in skipped)  # fmt: skip
    built = sorted(p.name for p in out.glob("*.docx"))
    assert built == ["chronology.docx", "evidence_schedule.docx", "next_steps.docx",
                     "witness_statement.docx"]  # fmt: skip
    pack = PdfReader(out / "pack.pdf")
    assert f"Page {len(pack.pages)} of {len(pack.pages)}" in pack.pages[-1].extract_text()


def test_minimal_next_steps_says_what_was_not_prepared(minimal_run):
    _, out = minimal_run
    text = docx_text(out / "next_steps.docx")
    assert "Not prepared: Report to Ofcom about the platform, because" in text
    assert "A solicitor, or the police with your report" in text  # no court application here
    assert "court-bundle.pdf" not in text
    assert "No evidence files have been added" in docx_text(out / "evidence_schedule.docx")
    statement = docx_text(out / "witness_statement.docx")
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


def test_a_firms_own_templates_are_used_and_their_mistakes_explained(tmp_path):
    from docx import Document

    from harassment_pack.build import build_case, default_templates_dir
    from harassment_pack.errors import UserError

    firm = tmp_path / "firm"
    firm.mkdir()
    document = Document(str(default_templates_dir() / "evidence_schedule.docx"))
    document.add_paragraph("Prepared by Example & Co LLP for {{ applicant.name }}")
    document.save(str(firm / "evidence_schedule.docx"))
    result = build_case(SAMPLES / "minimal", tmp_path / "out", only=["evidence_schedule"],
                        templates_dir=firm, today=TODAY)  # fmt: skip
    assert "Prepared by Example & Co LLP for Sam Taylor" in docx_text(
        result.out_dir / "evidence_schedule.docx"
    )

    document.add_paragraph("{{ applicant.nmae }}")
    document.save(str(firm / "evidence_schedule.docx"))
    with pytest.raises(UserError, match=r"evidence_schedule\.docx: the template has a mistake"):
        build_case(SAMPLES / "minimal", tmp_path / "out2", only=["evidence_schedule"],
                   templates_dir=firm, today=TODAY)  # fmt: skip
    with pytest.raises(UserError, match="template missing"):
        build_case(SAMPLES / "minimal", tmp_path / "out3", only=["chronology"],
                   templates_dir=firm, today=TODAY)  # fmt: skip
