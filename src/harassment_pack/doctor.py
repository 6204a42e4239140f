"""``harassment-pack doctor``: is everything a build needs installed, and how to fix what is not."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
from dataclasses import dataclass

from . import ocr
from .convert import INSTALL_HINT, soffice_version
from .errors import UserError

PYTHON_PACKAGES = ["docxtpl", "python-docx", "pypdf", "questionary", "babel", "PyYAML",
                   "pydantic", "reportlab", "pillow"]  # fmt: skip
FONTS = {
    "Liberation Sans": "fonts-liberation2",
    "DejaVu Sans": "fonts-dejavu-core",
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_checks() -> list[Check]:
    checks = []
    for package in PYTHON_PACKAGES:
        try:
            version = importlib.metadata.version(package)
            checks.append(Check(package, True, version))
        except importlib.metadata.PackageNotFoundError:
            checks.append(Check(package, False, f"missing: pip install {package}"))
    try:
        checks.append(Check("LibreOffice", True, soffice_version()))
    except UserError:
        checks.append(Check("LibreOffice", False, INSTALL_HINT))
    except (OSError, subprocess.SubprocessError) as exc:
        checks.append(Check("LibreOffice", False, f"installed but does not start ({exc})"))
    try:
        checks.append(Check("tesseract (text layer for screenshots)", True, ocr.find_tesseract()))
    except UserError:
        checks.append(Check("tesseract (text layer for screenshots)", False, ocr.INSTALL_HINT))
    fc_list = shutil.which("fc-list")
    families = ""
    if fc_list:
        families = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, text=True, check=False, timeout=60
        ).stdout
    for family, package in FONTS.items():
        found = family in families
        detail = "installed" if found else f"missing: sudo apt-get install {package}"
        checks.append(Check(f"font {family}", found, detail))
    return checks
