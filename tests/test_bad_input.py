"""User mistakes: one line naming file, field and fix; exit code 2; no traceback; no pack left."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harassment_pack.cli import main

from .conftest import SAMPLES


def _run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harassment_pack", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def _edit(case_dir: Path, old: str, new: str) -> None:
    path = case_dir / "case.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  full_name: Jane Smith\n", "", "applicant.full_name: is missing"),
        ('when: "2026-06-02T22:41:00+01:00"', "when: 31/02/2026",
         '"31/02/2026" is not a real date'),
        ("  occupation: Payroll", "  ocupation: Payroll", 'did you mean "occupation"'),
        ("file: evidence/2026-07-03-whatsapp-threat.png", "file: evidence/missing.png",
         "evidence/missing.png does not exist"),
        ("schema_version: 1\n", "schema_version: 1\n  bad: [\n", "case.yaml line"),
    ],
    ids=["missing-field", "impossible-date", "unknown-key", "missing-evidence", "invalid-yaml"],
)  # fmt: skip
def test_bad_case_file_gives_one_line_and_exit_2(case_copy, tmp_path, old, new, expected):
    _edit(case_copy, old, new)
    out = tmp_path / "out"
    out.mkdir()
    (out / "pack.pdf").write_text("an old pack")
    result = _run_cli("build", str(case_copy), "-o", str(out))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in lines[0]
    assert "case.yaml" in lines[0]
    # The mistake is found before anything is written: an earlier pack is left as it was.
    assert (out / "pack.pdf").read_text() == "an old pack"


def test_missing_case_folder(tmp_path, capsys):
    assert main(["build", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "no such case folder" in err and "harassment-pack new" in err


def test_unknown_document_name(capsys):
    assert main(["build", str(SAMPLES / "minimal"), "--only", "witness"]) == 2
    assert "there is no document called that" in capsys.readouterr().err


def test_missing_libreoffice_names_the_package(tmp_path):
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    result = _run_cli("build", str(SAMPLES / "minimal"), "-o", str(tmp_path / "out"), env=env)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert "LibreOffice is not installed" in last and "libreoffice-writer-nogui" in last
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "pack.pdf").exists()
