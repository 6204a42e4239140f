"""Start-up: each command imports only what it uses, so ``--help`` and ``check`` start at once."""

from __future__ import annotations

import json
import subprocess
import sys

from harassment_pack.cli import IMPORT_FORMATS
from harassment_pack.importers import IMPORTERS

from .conftest import SAMPLES

LOADED = """
import contextlib, io, json, sys
from harassment_pack.cli import main
with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
    main(sys.argv[1:])
print(json.dumps(sorted(sys.modules)))
"""


def _modules(*args: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", LOADED, *args], capture_output=True,
                            text=True, check=True)  # fmt: skip
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_the_import_formats_named_on_the_command_line_are_the_importers():
    assert tuple(IMPORTERS) == IMPORT_FORMATS


def test_help_imports_no_importer_no_model_and_no_imaging():
    loaded = _modules("--help")
    heavy = {"harassment_pack.importers", "harassment_pack.case", "pydantic", "PIL", "yaml"}
    assert not heavy & loaded, heavy & loaded


def test_check_imports_neither_the_importers_nor_the_pdf_and_image_libraries():
    loaded = _modules("check", str(SAMPLES / "jane-smith"))
    assert "harassment_pack.law.checks" in loaded
    unused = {"harassment_pack.importers", "PIL", "reportlab", "pypdf", "docxtpl"}
    assert not unused & loaded, unused & loaded
