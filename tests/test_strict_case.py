"""Case files that would silently lose data or exhaust the machine are refused with one line."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from harassment_pack.case import load_case, parse_case
from harassment_pack.cli import main
from harassment_pack.errors import UserError

from .conftest import SAMPLES

HEAD = "schema_version: 1\napplicant:\n  full_name: Sam Taylor\n"
INCIDENT = """\
  - id: {id}
    when: 2026-09-0{day}
    platform: Instagram
    summary: Incident {day}.
"""


def _incidents(*ids: str) -> str:
    return "".join(INCIDENT.format(id=i, day=n) for n, i in enumerate(ids, start=1))


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            HEAD + "incidents:\n" + _incidents("i1", "i2") + "incidents:\n" + _incidents("i9"),
            13,
            "'incidents' appears twice in the same group (also on line 4); the second would "
            "replace the first, so merge them into one",
        ),
        (
            HEAD.replace("  full_name: Sam Taylor\n", "  full_name: Sam\n  full_name: Sam T\n"),
            4,
            "'full_name' appears twice",
        ),
        (
            HEAD + "incidents:\n" + _incidents("i1", "i2", "i1"),
            13,
            "incidents[2].id: 'i1' is used by another incident too (line 5); give each its own id",
        ),
        (HEAD + "statement_number: &n 1\n", 4, "'&n' is a YAML anchor"),
        (HEAD + "x: &a [1]\ny: *a\n", 4, "'&a' is a YAML anchor"),
        (HEAD + "statement_number: !!int 2\n", 4, "'!!int' is a YAML tag"),
        (HEAD + "statement_prepared: !x text\n", 4, "'!x' is a YAML tag"),
        (
            HEAD + "statement_prepared: caf\u00e9 a\x01b\n",
            4,
            "holds a control character (code 0x01)",
        ),
        (HEAD + "---\n" + HEAD, 4, "a second document starts here"),
        (HEAD + "impact:\n  effects: " + "[" * 100 + "]" * 100 + "\n", 5, "nested more than"),
    ],
)
def test_refused_with_one_line_naming_the_line(tmp_path, text, line, message):
    case_dir = tmp_path / "case"
    case_dir.mkdir()
    (case_dir / "case.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_case(case_dir)
    error = str(caught.value)
    assert error.startswith(f"{case_dir / 'case.yaml'} line {line}: "), error
    assert message in error and "\n" not in error


def test_billion_laughs_is_refused_at_once_in_little_memory():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 40)]
    text = HEAD + "\n".join(lines) + "\n"
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(UserError, match="YAML anchor"):
        parse_case(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert time.monotonic() - started < 5 and peak < 200 * 1024 * 1024


def test_size_limit_before_reading_and_how_to_raise_it(tmp_path, monkeypatch):
    case_dir = tmp_path / "case"
    case_dir.mkdir()
    with (case_dir / "case.yaml").open("w") as handle:
        handle.write(HEAD + "statement_prepared: ")
        handle.truncate(2 * 1024 * 1024)  # 2 MB, sparse
    monkeypatch.setenv("HARASSMENT_PACK_MAX_CASE_MB", "1")
    with pytest.raises(UserError, match="raise the limit with HARASSMENT_PACK_MAX_CASE_MB=12"):
        load_case(case_dir)


def test_a_case_harassment_pack_wrote_loads_back_the_same():
    case = load_case(SAMPLES / "jane-smith")
    from harassment_pack.case import case_to_yaml

    assert parse_case(case_to_yaml(case)) == case


def test_cli_prints_one_line_and_debug_shows_the_traceback(tmp_path, capsys):
    case_dir = tmp_path / "case"
    case_dir.mkdir()
    (case_dir / "case.yaml").write_text(HEAD + "statement_number: !!int 2\n")
    assert main(["check", str(case_dir)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "YAML tag" in err
    with pytest.raises(UserError):
        main(["check", str(case_dir), "--debug"])
