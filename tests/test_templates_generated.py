"""The committed templates are exactly what scripts/make_templates.py writes.

Templates are generated, never edited by hand; this catches a generator change committed without
regenerating (or a hand-edited .docx), and relies on the generator writing fixed zip timestamps.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_committed_templates_match_the_generator(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_templates.py"), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    generated = sorted(p.name for p in tmp_path.glob("*.docx"))
    committed = sorted(p.name for p in (ROOT / "templates").glob("*.docx"))
    assert generated == committed
    stale = [
        name
        for name in generated
        if (tmp_path / name).read_bytes() != (ROOT / "templates" / name).read_bytes()
    ]
    assert not stale, f"run scripts/make_templates.py and commit: {stale} differ"
