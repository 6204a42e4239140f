"""Work done by two processes at once (rendering, assembling the bundles) gives exactly what
one process gives, reports failures as it would, and leaves nothing behind (real LibreOffice)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from docx import Document

from harassment_pack import build
from harassment_pack.build import build_case, default_templates_dir
from harassment_pack.errors import UserError
from harassment_pack.served import ServedLeakError

from .conftest import SAMPLES, TODAY, copy_sample


def test_bundles_assembled_side_by_side_are_those_assembled_in_turn(tmp_path, monkeypatch):
    """The pack assembled in a forked copy while the court bundle is checked is byte for byte
    the pack assembled after it, and neither leaves a temporary file behind."""
    case = tmp_path / "case"
    copy_sample(SAMPLES / "jane-smith", case)
    out = tmp_path / "out"
    forks = []
    real = build._Forked
    monkeypatch.setattr(build, "_Forked", lambda work: forks.append(1) or real(work))
    side_by_side = build_case(case, out, today=TODAY)
    assert forks == [1, 1]  # rendering, then the pack
    pack, court = side_by_side.pack.path.read_bytes(), side_by_side.court_bundle.path.read_bytes()
    monkeypatch.setattr(build, "PARALLEL_BYTES", 0)
    left = out / build.UNCHECKED.format(build.PACK_NAME)
    left.write_bytes(b"%PDF- what a build killed before the served check left")
    in_turn = build_case(case, out, today=TODAY)  # nothing rendered, the pack assembled here
    assert forks == [1, 1]
    assert in_turn.pack.path.read_bytes() == pack
    assert in_turn.court_bundle.path.read_bytes() == court
    assert in_turn.pack.entries == side_by_side.pack.entries
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".pdf" and "-" in p.stem) == [
        "court-bundle.pdf"
    ]
    assert not [p.name for p in out.iterdir() if p.name.startswith(".") and p.suffix == ".tmp"]


def test_forked_work_returns_its_answer_or_raises_its_error():
    assert build._Forked(lambda: {"pages": 3}).result() == {"pages": 3}

    def fails() -> None:
        raise UserError("exhibit JS/1 is not a readable PDF; replace the file")

    with pytest.raises(UserError, match="not a readable PDF"):
        build._Forked(fails).result()

    def leaks() -> None:  # an error class that cannot be rebuilt from its arguments alone
        raise ServedLeakError(Path("court-bundle.pdf"), [])

    with pytest.raises(RuntimeError, match="ServedLeakError"):
        build._Forked(leaks).result()

    def killed() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(UserError, match="second process stopped before it finished"):
        build._Forked(killed).result()


def test_a_template_mistake_rendered_in_the_second_process_is_reported_in_build_order(
    tmp_path, monkeypatch
):
    """With the sample's twelve documents rendered by two processes, a firm's broken witness
    statement (second in order, rendered by the fork) is the error given, not the broken
    supporting statements after it (rendered here)."""
    firm = tmp_path / "firm"
    firm.mkdir()
    for name, mistake in (("witness_statement", "{{ applicant.nmae }}"),
                          ("supporting_statements", "{{ today + }}")):  # fmt: skip
        document = Document(str(default_templates_dir() / f"{name}.docx"))
        document.add_paragraph(mistake)
        document.save(str(firm / f"{name}.docx"))
    forks = []
    real = build._Forked
    monkeypatch.setattr(build, "_Forked", lambda work: forks.append(1) or real(work))
    with pytest.raises(UserError) as error:
        build_case(SAMPLES / "jane-smith", tmp_path / "out", templates_dir=firm, today=TODAY)
    assert forks == [1]
    assert str(error.value).startswith(str(firm / "witness_statement.docx"))
    assert "has no attribute 'nmae'" in str(error.value)
    assert not (tmp_path / "out" / "pack.pdf").exists()
