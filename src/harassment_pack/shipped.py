"""Where the folders shipped beside the code are: ``templates/`` and ``questionnaires/``.

The design keeps them at the top of the repository, so a solicitor or developer finds and edits
them there (the README's set-up installs the package in editable mode). A wheel installs the
same files under ``<prefix>/share/harassment-pack/`` (``data-files`` in pyproject.toml).
"""

from __future__ import annotations

import sys
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[2]


def shipped_dir(name: str) -> Path | None:
    """The shipped folder ``name``: the source checkout's, else the installed copy, else None."""
    for candidate in (SOURCE_ROOT / name, Path(sys.prefix) / "share" / "harassment-pack" / name):
        if candidate.is_dir():
            return candidate
    return None
