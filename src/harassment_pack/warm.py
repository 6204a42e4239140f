"""A warm LibreOffice per case: kept running for a few minutes after a build, so that the next
build of the case does not wait for LibreOffice to start.

Why: a rebuild after one changed incident converts two or three documents, and most of its time
was starting LibreOffice (about a second, even to convert nothing). A ``soffice --convert-to``
started with a profile on which LibreOffice is already running hands its work to that instance
(over LibreOffice's single-instance pipe: a Unix socket, not a network one, in ``/tmp``, named
after the user id and the profile, writable by its owner only) and returns once the PDFs are
written, in a tenth of a second or so. The command is the same either way: with no instance
running, soffice starts cold, so a build never depends on one.

How: a build holds the case's first profile (``CASE/.libreoffice/0``, with the same ``flock``
as any conversion) from its start to its end. If no instance runs on it, the build starts one at
once, so that LibreOffice starts while the documents are rendered: a small watchdog (``python
-m harassment_pack.warm``, detached: in a session of its own and not a child of the build)
starts soffice with an empty text document (an open document is what keeps a headless
LibreOffice running) in a private folder under the system's temporary folder, which is also
its working and temporary folder, so that it holds no file of the case open. The watchdog stops
LibreOffice once no build has used it for ``HARASSMENT_PACK_KEEP_LIBREOFFICE`` seconds (default
600; 0: nothing is kept, every build starts LibreOffice afresh and leaves nothing running), and
at once when the case folder or its profile is removed or LibreOffice ends. It stops LibreOffice
only while holding the profile's lock, so never during a build's conversion; if the watchdog is
killed, the system stops LibreOffice with it.

A build uses an instance only when its record (``CASE/.libreoffice/0.warm``) names a running
watchdog and soffice on this profile, started from this LibreOffice, and its pipe answers;
anything else is stopped and the build starts cold. A conversion that fails, times out or is
interrupted stops the instance and discards the profile, as it does with a cold soffice; the
instance writes only into that conversion's private folder, so nothing half-written reaches
``out/``.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .convert import (
    NO_PROFILE_BACKUP,
    _converter,
    _hold_profile,
    _leave_profile,
    _prepare_profile,
    _seed_profile,
)
from .errors import UserError
from .files import write_private

KEEP_ENV = "HARASSMENT_PACK_KEEP_LIBREOFFICE"
DEFAULT_KEEP = 600.0
"""Ten minutes: long enough to correct an incident and build again, short enough that
LibreOffice (about 150 MB) does not stay for the rest of the day."""
SLOT = 0
"""The profile kept warm: the first one, which every build of the case tries first."""
WARM_PREFIX = "harassment-pack-warm-"
"""The private folder of a warm instance, under the system's temporary folder."""
_MODULE = "harassment_pack.warm"
_ACCEPTING = 0x10000
"""In /proc/net/unix, the flag of a socket that accepts connections (``__SO_ACCEPTCON``)."""
_RESTART = 81
"""soffice.bin's exit status when it asks to be started again (on a new profile's first
start), as its launcher does."""
_STARTS = 3
_FIRST_RECORD = 30.0
"""Seconds a watchdog has to write its first record after it was forked (it does so at once;
only a machine under very heavy load would take seconds)."""
_STOP_WAIT = 10.0
"""Seconds LibreOffice has to quit after SIGTERM before it is killed (and its profile made
afresh by the next build)."""


def keep_seconds() -> float:
    """How long a warm LibreOffice is kept after a build: ``HARASSMENT_PACK_KEEP_LIBREOFFICE``
    seconds, else ten minutes; 0 keeps none."""
    text = os.environ.get(KEEP_ENV, "").strip()
    if not text:
        return DEFAULT_KEEP
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise UserError(
            f"{KEEP_ENV}={text}: give the seconds LibreOffice may keep running after a build, "
            f"e.g. {KEEP_ENV}=600, or {KEEP_ENV}=0 to start it afresh for every build"
        )
    return value


def pipe_path(profile_uri: str) -> Path:
    """LibreOffice's single-instance pipe for a profile, named as LibreOffice names it: the MD5
    of the profile's URL in UTF-16, each byte in hex without a leading zero."""
    digest = hashlib.md5(profile_uri.encode("utf-16-le"), usedforsecurity=False).digest()
    folder = "/tmp" if os.access("/tmp", os.W_OK) else "/var/tmp"
    name = "".join(f"{byte:x}" for byte in digest)
    return Path(folder) / f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{name}"


def _listening(pipe: Path) -> bool:
    """Whether a process listens on ``pipe``, from the kernel's list of Unix sockets: nothing
    connects to LibreOffice to find out, as it takes a connection for a request, and an empty
    one while it starts makes it quit."""
    try:
        lines = Path("/proc/net/unix").read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return pipe.is_socket()  # not Linux: the socket file at least
    for line in lines[1:]:
        fields = line.split()
        if len(fields) == 8 and fields[7] == str(pipe) and int(fields[3], 16) & _ACCEPTING:
            return True
    return False


def _runs(pid: object, marker: bytes) -> bool:
    """Whether process ``pid`` is running and its command line holds ``marker`` (so that a
    process id reused by something else is never taken for ours)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        return marker in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _record_path(root: Path) -> Path:
    return root / f"{SLOT}.warm"


def read_record(root: Path) -> dict:
    """What is known of the LibreOffice kept for the case whose profiles are in ``root``
    (``watchdog`` and ``soffice`` process ids, ``profile``, ``folder``); empty if none."""
    try:
        record = json.loads(_record_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def stop_kept(root: Path) -> None:
    """Stop the LibreOffice kept for a case now (whether or not a build is using it)."""
    record = read_record(root)
    if record:
        _stop(root, record)


def _stop(root: Path, record: dict) -> None:
    """Stop the instance ``record`` names (LibreOffice at once, the watchdog cleans up after
    it) and forget it."""
    uri = str(record.get("profile", "")).encode()
    soffice = record.get("soffice")
    if uri and _runs(soffice, uri):
        with contextlib.suppress(OSError):
            os.killpg(soffice, signal.SIGKILL)  # type: ignore[arg-type]
    if _runs(record.get("watchdog"), _MODULE.encode()):
        with contextlib.suppress(OSError):
            os.kill(record["watchdog"], signal.SIGTERM)  # it removes its folder
    else:  # killed outright: its folder is left behind
        folder = Path(str(record.get("folder", "")))
        if folder.name.startswith(WARM_PREFIX) and folder.parent == Path(tempfile.gettempdir()):
            shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        if read_record(root) == record:
            _record_path(root).unlink()


class Warm:
    """The case's first profile, held by one build from its start to its end, and the warm
    LibreOffice on it (already running, or started by this build)."""

    def __init__(self, root: Path, fd: int, soffice: str, keep: float) -> None:
        self.root = root
        self.slot = SLOT
        self.profile = root.absolute() / str(SLOT)
        self._fd = fd
        self._soffice = soffice
        self._launcher: subprocess.Popen[bytes] | None = None
        self._converter = _converter(soffice)
        self._uri = self.profile.as_uri()
        self._failed = False
        self._cold = False
        record = read_record(root)
        self.running = bool(record) and self._usable(record)
        """Whether an instance was running when the build began: all the build's documents
        can go to it, instead of a cold soffice for some of them."""
        if self.running:
            return
        if record:
            _stop(root, record)
        _prepare_profile(self.profile, soffice, self._converter)
        self._launcher = subprocess.Popen(
            [sys.executable, "-m", _MODULE, str(root.absolute()), soffice, repr(keep)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd="/",
            start_new_session=True,
        )

    def _usable(self, record: dict) -> bool:
        return (
            record.get("converter") == self._converter
            and record.get("profile") == self._uri
            and _runs(record.get("watchdog"), _MODULE.encode())
            and _runs(record.get("soffice"), self._uri.encode())
            and _listening(pipe_path(self._uri))
        )

    def ready(self, seconds: float) -> bool:
        """Wait (at most ``seconds``) until the instance listens on its pipe. If it does not,
        it is stopped and the profile made afresh: the conversion then starts soffice cold."""
        until = time.monotonic() + seconds
        waited: float | None = None
        while True:
            record = read_record(self.root)
            if record and self._usable(record):
                return True
            if record:
                gone = not _runs(record.get("watchdog"), _MODULE.encode())
            else:  # not written yet: the watchdog may not have started, or failed to
                launched = self._launcher is None or self._launcher.poll() is not None
                if launched and waited is None:
                    waited = time.monotonic() + _FIRST_RECORD
                gone = waited is not None and time.monotonic() >= waited
            if gone or time.monotonic() >= until:
                break
            time.sleep(0.02)
        if record:
            _stop(self.root, record)
        _seed_profile(self.profile, self._soffice)
        self._cold = True
        return False

    def ended(self, finished: bool) -> None:
        """Called when the conversion on this profile has ended: one that did not finish of its
        own accord stops the instance and discards the profile (it may be damaged)."""
        if finished:
            return
        self._failed = True
        record = read_record(self.root)
        if record:
            _stop(self.root, record)
        shutil.rmtree(self.profile, ignore_errors=True)

    def close(self) -> None:
        """The build is over: the instance's idle time starts now; the profile is let go."""
        try:
            if self._failed:
                return
            record = read_record(self.root)
            if record and _runs(record.get("soffice"), self._uri.encode()):
                with contextlib.suppress(OSError):
                    os.utime(_record_path(self.root))
            elif self._cold:
                _leave_profile(self.profile, self._converter, finished=True)
        finally:
            os.close(self._fd)
            if self._launcher is not None:
                self._launcher.wait()  # it only forks the watchdog, which is not our child


@contextlib.contextmanager
def hold(root: Path, soffice: str) -> Iterator[Warm | None]:
    """For one build: the case's first profile and a warm LibreOffice on it, started now if
    none is running; None when keeping one is turned off, when another build of the case holds
    the profile, or when the case folder cannot be written. With keeping turned off, an
    instance left by an earlier build is stopped."""
    keep = keep_seconds()
    held = _hold_profile(root, set(), only=SLOT)
    if held is None:
        yield None
        return
    if keep == 0:
        stop_kept(root)
        os.close(held[1])
        yield None
        return
    warm = Warm(root, held[1], soffice, keep)
    try:
        yield warm
    finally:
        warm.close()


def _die_with_parent() -> None:
    """In the child, before soffice runs: be killed when the watchdog dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _binary(soffice: str) -> str:
    """LibreOffice itself (``soffice.bin``) rather than its launcher script, so that it is the
    watchdog's own child and dies with it; else the launcher."""
    found = Path(soffice).resolve().parent / "soffice.bin"
    return str(found) if found.is_file() else soffice


def _watch(root: Path, soffice: str, keep: float) -> None:
    """The watchdog: start LibreOffice on the case's first profile, stop it when idle."""
    profile = root / str(SLOT)
    uri = profile.as_uri()
    converter = _converter(soffice)
    os.umask(0o077)
    folder = Path(tempfile.mkdtemp(prefix=WARM_PREFIX))
    process: subprocess.Popen[bytes] | None = None

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, leave)
    try:
        os.chdir(folder)
        (folder / "keep.txt").write_bytes(b"")
        record: dict = {"watchdog": os.getpid(), "soffice": None}
        for _attempt in range(_STARTS):
            write_private(_record_path(root), json.dumps(record).encode())
            process = _start(soffice, uri, folder)
            record = {
                "watchdog": os.getpid(),
                "soffice": process.pid,
                "profile": uri,
                "converter": converter,
                "folder": str(folder),
            }
            write_private(_record_path(root), json.dumps(record).encode())
            while process.poll() is None:
                if not profile.is_dir() or read_record(root) != record:
                    return  # the case (or its profile) was removed, or a build stopped us
                idle = time.time() - _record_path(root).stat().st_mtime
                if idle >= keep and _quit_when_free(root, keep, process, profile, converter):
                    return
                time.sleep(min(1.0, max(0.05, keep - idle)))
            if process.returncode != _RESTART:
                return  # it ended or was killed: the next build makes the profile afresh
    except (OSError, ValueError):
        return
    finally:
        if process is not None and process.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        with contextlib.suppress(OSError):
            if read_record(root).get("watchdog") == os.getpid():
                _record_path(root).unlink()
        shutil.rmtree(folder, ignore_errors=True)


def _start(soffice: str, uri: str, folder: Path) -> subprocess.Popen[bytes]:
    """LibreOffice, headless, on the profile ``uri``, kept running by an empty document; its
    working and temporary folder is the watchdog's private ``folder``."""
    return subprocess.Popen(
        [
            _binary(soffice),
            f"-env:UserInstallation={uri}",
            NO_PROFILE_BACKUP,
            "--headless",
            "--invisible",
            "--nologo",
            "--nolockcheck",
            "--norestore",
            str(folder / "keep.txt"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=folder,
        env={
            **os.environ,
            "SAL_USE_VCLPLUGIN": "svp",
            "SAL_ENABLE_FILE_LOCKING": "1",  # as the launcher script sets it
            "TMPDIR": str(folder),
        },
        start_new_session=True,
        preexec_fn=_die_with_parent,  # safe: the watchdog has one thread
    )


def _quit_when_free(
    root: Path, keep: float, process: subprocess.Popen[bytes], profile: Path, converter: str
) -> bool:
    """Stop LibreOffice if no build holds the profile (else try again later): SIGTERM, which it
    answers by quitting; the profile is kept for the next build if it quit in time."""
    held = _hold_profile(root, set(), only=SLOT)
    if held is None:
        return False
    try:
        if time.time() - _record_path(root).stat().st_mtime < keep:
            return False  # a build used it just before letting go of the profile
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=_STOP_WAIT)
        except subprocess.TimeoutExpired:
            return True  # killed in ``_watch``'s finally; the next build makes the profile afresh
        _leave_profile(profile, converter, finished=True)
        pipe = pipe_path(profile.as_uri())
        if not _listening(pipe):  # LibreOffice leaves its socket file; no build can start one
            pipe.unlink(missing_ok=True)  # on this profile while we hold it
        return True
    finally:
        os.close(held[1])


if __name__ == "__main__":
    # Detach: the build waits only for this first process, which ends at once; the watchdog
    # (its child) is then nobody's child but init's, and outlives the build.
    if os.fork() == 0:
        _watch(Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]))
    os._exit(0)
