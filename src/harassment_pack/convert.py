"""DOCX → PDF with LibreOffice: every document of a build in one soffice process.

One cold start of LibreOffice costs about a second; converting a build's documents in a single
call instead of one call each is most of the speed of a build.

LibreOffice is also the part most likely to hang or be killed, and what it leaves behind when
that happens (``.~lock.<doc>.pdf#``, ``lu*.tmp``, half-written PDFs, its profile folder) used to
break every later build of the case. So each run works in a private folder of its own under the
system's temporary folder (mode 0700: profile, copies of the DOCX files, and the PDFs as they are
written); only finished, checked PDFs are moved into ``out/``, already mode 0600. The run has a
time limit (``--timeout`` or ``HARASSMENT_PACK_TIMEOUT``); a timeout, Ctrl-C or SIGTERM kills the
whole soffice process group and removes the private folder. Lock and temp files from older
versions are cleared from ``out/``, and folders left by a run that was killed outright (kill -9)
are removed by the next run.
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
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .errors import UserError
from .files import FILE_MODE, make_private_dir, write_private

DEFAULT_TIMEOUT = 300.0
TIMEOUT_ENV = "HARASSMENT_PACK_TIMEOUT"
WORK_PREFIX = "harassment-pack-convert-"
_OLD_PROFILE_PREFIX = "harassment-pack-lo-"
"""Profile folders of versions before the private work folder; removed once a day old."""
_OWNER = "owner"
"""File in a work folder: 'PID PGID' of the build and of its soffice process group."""
INSTALL_HINT = (
    "LibreOffice is not installed: install it with 'sudo apt-get install "
    "libreoffice-writer-nogui' (or run ./setup.sh), then try again"
)
_CONVERTED = re.compile(r"^convert (.+?) -> (.+?) using filter", re.MULTILINE)
_STALE_IN_OUT = (".~lock.*#", "lu*.tmp", ".*.pdf.*.tmp")
"""What a killed LibreOffice (older versions wrote straight into out/) or copy leaves in out/."""

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


def timeout_from_env() -> float:
    """The conversion time limit: ``HARASSMENT_PACK_TIMEOUT`` seconds, else 300."""
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    return parse_timeout(text, TIMEOUT_ENV)


def parse_timeout(text: str, flag: str = "--timeout") -> float:
    """A positive number of seconds, or a UserError saying how to write one."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise UserError(f"{flag} {text}: give the time limit in seconds, e.g. {flag} 600")
    return value


PDF_EXPORT = (
    'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
    '"DisplayPDFDocumentTitle":{"type":"boolean","value":"true"}}'
)
"""Tagged PDF (structure for screen readers) that shows its title; JSON options need LO 7.4+."""


def convert_to_pdf(
    docx_files: Sequence[Path],
    out_dir: Path,
    *,
    timeout: float | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Convert all ``docx_files`` in one LibreOffice process; move the PDFs into ``out_dir``."""
    if not docx_files:
        return []
    soffice = find_soffice()
    limit = timeout_from_env() if timeout is None else timeout
    make_private_dir(out_dir)
    clear_stale_files(out_dir)
    expected = [out_dir / (Path(f).stem + ".pdf") for f in docx_files]
    for stale in expected:
        stale.unlink(missing_ok=True)
    remove_abandoned_work()
    with _work_folder() as work:
        inputs = make_private_dir(work / "in")
        outputs = make_private_dir(work / "out")
        copies = []
        for docx in docx_files:
            copy = inputs / Path(docx).name
            shutil.copyfile(docx, copy)
            copies.append(copy)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--norestore",
            "--convert-to",
            PDF_EXPORT,
            "--outdir",
            str(outputs),
            *[str(f) for f in copies],
        ]
        output, returncode = _run(command, work, limit, len(copies), progress)
        if returncode < 0:
            raise UserError(
                f"LibreOffice was stopped by signal {-returncode} before it finished (perhaps "
                "by the system for lack of memory); run the build again"
            )
        made = [outputs / pdf.name for pdf in expected]
        for pdf in made:
            _check_pdf(pdf, output)
        for pdf, final in zip(made, expected, strict=True):
            _move_private(pdf, final)
    return expected


def _check_pdf(pdf: Path, output: str) -> None:
    """A PDF LibreOffice really finished: there, not empty, and readable to its last page."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not pdf.is_file() or pdf.stat().st_size == 0:
        detail = output.strip().splitlines()[-1:] or ["no message"]
        raise UserError(
            f"LibreOffice did not produce {pdf.name} ({detail[0][:200]}); check the template "
            "opens in LibreOffice, then run 'harassment-pack doctor'"
        )
    try:
        with pdf.open("rb") as handle:
            if not handle.read(1024).lstrip().startswith(b"%PDF-"):
                raise ValueError("it does not start like a PDF")
            handle.seek(max(0, pdf.stat().st_size - 1024))
            if b"%%EOF" not in handle.read():
                raise ValueError("it is cut off before its end")
            handle.seek(0)
            reader = PdfReader(handle)
            if len(reader.pages) == 0:
                raise ValueError("it has no pages")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UserError(
            f"LibreOffice wrote a damaged {pdf.name} ({str(exc)[:120] or type(exc).__name__}); "
            "run the build again, and if it happens again run 'harassment-pack doctor' "
            "(reinstalling LibreOffice usually fixes it)"
        ) from None


def _move_private(source: Path, target: Path) -> None:
    """Move a finished PDF into ``out/``: renamed when on the same disk, else copied atomically."""
    os.chmod(source, FILE_MODE)
    try:
        os.replace(source, target)
    except OSError:
        write_private(target, source.read_bytes())  # another disk: temp file, fsync, rename


def clear_stale_files(out_dir: Path) -> list[Path]:
    """Remove lock and temp files a killed LibreOffice or copy left in ``out_dir``."""
    removed = []
    for pattern in _STALE_IN_OUT:
        for path in out_dir.glob(pattern):
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                path.unlink()
                removed.append(path)
    return removed


@contextlib.contextmanager
def _work_folder() -> Iterator[Path]:
    """A private folder (0700) for one conversion, removed afterwards whatever happens."""
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX))
    try:
        (work / _OWNER).write_text(f"{os.getpid()} 0", encoding="ascii")
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def remove_abandoned_work(root: Path | None = None) -> list[Path]:
    """Remove work folders of conversions whose build was killed outright (kill -9).

    A folder belongs to a dead run when the build process named in it no longer exists; its
    soffice process group, if still running LibreOffice, is stopped first.
    """
    root = Path(root or tempfile.gettempdir())
    removed = []
    for work in root.glob(f"{WORK_PREFIX}*"):
        try:
            pid, pgid = (int(part) for part in (work / _OWNER).read_text().split())
        except (OSError, ValueError):
            continue  # another user's folder, or one being created this moment
        if _alive(pid):
            continue
        if pgid and _is_soffice_group(pgid):
            with contextlib.suppress(OSError):
                os.killpg(pgid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)
        removed.append(work)
    day_ago = time.time() - 86400
    for old in root.glob(f"{_OLD_PROFILE_PREFIX}*"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < day_ago and old.stat().st_uid == os.getuid():
                shutil.rmtree(old, ignore_errors=True)
                removed.append(old)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_soffice_group(pgid: int) -> bool:
    """Whether the process leading group ``pgid`` is LibreOffice (so a reused id is left alone)."""
    try:
        command = Path(f"/proc/{pgid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"soffice" in command or b"oosplash" in command


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt while LibreOffice runs, like Ctrl-C.

    Their default action ends Python at once, leaving soffice running and its folder behind;
    as an exception they pass through the ``finally`` that kills the group and cleans up.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(
    command: list[str], work: Path, timeout: float, total: int, progress: Progress | None
) -> tuple[str, int]:
    """Run soffice in its own process group, reporting each converted file as it appears.

    Returns its output and exit code (negative: killed by that signal).
    """
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}
    lines: list[str] = []
    with _stop_on_signals():
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            env=env,
            start_new_session=True,
        )

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line)
                match = _CONVERTED.match(line)
                if match and progress:
                    done = sum(1 for seen in lines if _CONVERTED.match(seen))
                    progress(done, total, Path(match[1]).name)

        reader = threading.Thread(target=read, daemon=True)
        try:
            (work / _OWNER).write_text(f"{os.getpid()} {process.pid}", encoding="ascii")
            reader.start()
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise UserError(
                f"LibreOffice took longer than {timeout:g} seconds and was stopped; close other "
                "LibreOffice windows and try again, allow more time with --timeout SECONDS (or "
                f"{TIMEOUT_ENV}), or build fewer documents with --only"
            ) from None
        finally:
            _kill_group(process)  # also whatever it left running after a normal exit
            if reader.is_alive():
                reader.join(timeout=5)
    return "".join(lines), process.returncode


def _kill_group(process: subprocess.Popen) -> None:
    """Stop soffice and everything it started (oosplash, soffice.bin), then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
