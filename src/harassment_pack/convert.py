"""DOCX → PDF with LibreOffice: every document of a build in one soffice process.

One cold start of LibreOffice costs about a second; converting a build's documents in a single
call instead of one call each is most of the speed of a build. Each run gets a private profile
folder (so a user's open LibreOffice, or a parallel build, cannot block or be disturbed), a hard
time limit that kills the whole process tree, and a check that every PDF was really written.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import UserError

DEFAULT_TIMEOUT = 300
INSTALL_HINT = (
    "LibreOffice is not installed: install it with 'sudo apt-get install "
    "libreoffice-writer-nogui' (or run ./setup.sh), then try again"
)
_CONVERTED = re.compile(r"^convert (.+?) -> (.+?) using filter", re.MULTILINE)

Progress = Callable[[int, int, str], None]


def find_soffice() -> str:
    """The LibreOffice binary, or a UserError naming the package to install."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    raise UserError(INSTALL_HINT)


def soffice_version() -> str:
    """'LibreOffice 7.4.7.2 …' (for ``doctor``)."""
    result = subprocess.run(
        [find_soffice(), "--headless", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.stdout.strip() or result.stderr.strip()


def convert_to_pdf(
    docx_files: Sequence[Path],
    out_dir: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> list[Path]:
    """Convert all ``docx_files`` into ``out_dir`` in one LibreOffice process; return the PDFs."""
    if not docx_files:
        return []
    soffice = find_soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    expected = [out_dir / (Path(f).stem + ".pdf") for f in docx_files]
    for stale in expected:
        stale.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="harassment-pack-lo-") as profile:
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(out_dir),
            *[str(f) for f in docx_files],
        ]
        output = _run(command, timeout, len(docx_files), progress)
    missing = [pdf for pdf in expected if not pdf.is_file() or pdf.stat().st_size == 0]
    if missing:
        detail = output.strip().splitlines()[-1:] or ["no message"]
        raise UserError(
            f"LibreOffice did not produce {missing[0].name} ({detail[0]}); check the "
            "template opens in LibreOffice, then run 'harassment-pack doctor'"
        )
    for pdf in expected:
        os.chmod(pdf, 0o600)
    return expected


def _run(command: list[str], timeout: float, total: int, progress: Progress | None) -> str:
    """Run soffice in its own process group, reporting each converted file as it appears."""
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            match = _CONVERTED.match(line)
            if match and progress:
                progress(sum(1 for seen in lines if _CONVERTED.match(seen)), total,
                         Path(match[1]).name)  # fmt: skip

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(process)
        raise UserError(
            f"LibreOffice took longer than {timeout:.0f} seconds and was stopped; close other "
            "LibreOffice windows and try again, or build fewer documents with --only"
        ) from None
    finally:
        reader.join(timeout=5)
    return "".join(lines)


def _kill_tree(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
