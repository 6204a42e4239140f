"""DOCX → PDF with LibreOffice: a build's documents in one soffice process, or split across cores.

One cold start of LibreOffice costs about a second; converting a build's documents in a single
call instead of one call each is most of the speed of a build. A build with many documents
splits them across up to one soffice process per core (each with a profile of its own), balanced
by file size, so that a 2-core machine converts the sample in about the time of half of them.

Each process gets a *reused* private LibreOffice profile kept in the case folder
(``CASE/.libreoffice/N``, mode 0700), because making a fresh profile costs every run a part of
LibreOffice's start-up. Every profile, reused or fresh, is seeded with the LibreOffice version it
last ran, so that LibreOffice does not run its graphics self-test (about a hundred drawings at up
to 4096 by 4096 pixels) at every start: that alone was most of a start's CPU time and 80 MB of its
memory. A profile is held with an ``flock`` while soffice uses it; a second build of the same case
at the same time takes the next free one, or a fresh temporary profile. A profile is kept only
after soffice finished with it of its own accord: after a timeout, a signal or any failure it is
removed, and one whose build was killed outright (marked as in use by a process that is gone) is
made afresh by the next build.

LibreOffice is also the part most likely to hang or be killed, and what it leaves behind when
that happens (``.~lock.<doc>.pdf#``, ``lu*.tmp``, half-written PDFs) used to break every later
build of the case. So each run works in a private folder of its own under the system's temporary
folder (mode 0700: copies of the DOCX files, the PDFs as they are written, any fresh profile);
only finished, checked PDFs are moved into ``out/``, already mode 0600. LibreOffice's own
temporary files (``lu*.tmp`` folders, which may hold document content) go there too (its
``TMPDIR``), not into the system's temporary folder. The run has a time limit
(``--timeout`` or ``HARASSMENT_PACK_TIMEOUT``); a timeout, Ctrl-C or SIGTERM kills every soffice
process group and removes the private folder. Lock and temp files from older versions are
cleared from ``out/``, and folders left by a run that was killed outright (kill -9) are removed
(their soffice processes stopped) by the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import functools
import gc
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UserError
from .files import FILE_MODE, make_private_dir, write_private
from .split import SPLIT_BYTES, Joined, Parts, join, make_parts, part_count, xml_size

if TYPE_CHECKING:
    from pypdf import PdfReader

if TYPE_CHECKING:
    from .warm import Warm

DEFAULT_TIMEOUT = 300.0
TIMEOUT_ENV = "HARASSMENT_PACK_TIMEOUT"
WORK_PREFIX = "harassment-pack-convert-"
PROFILES_DIRNAME = ".libreoffice"
"""In the case folder: the LibreOffice profiles kept between builds (private, safe to delete)."""
MAX_PROCESSES = 4
DOCUMENTS_PER_PROCESS = 4
"""A second soffice process costs a start of LibreOffice (and its memory); it pays for itself
only with a few documents to take over."""
_PROFILE_STATE = "harassment-pack.json"
"""In a reused profile: which LibreOffice made it, and whether a soffice was using it."""
_OLD_PROFILE_PREFIX = "harassment-pack-lo-"
"""Profile folders of versions before the private work folder; removed once a day old."""
_OWNER = "owner"
"""File in a work folder: 'PID PGID…' of the build and of its soffice process groups."""
_TEMP = "tmp"
"""Folder in a work folder: soffice's temporary folder (``_TEMP_VARIABLES``)."""
_TEMP_VARIABLES = ("TMPDIR", "TEMP", "TMP")
"""Where LibreOffice's sal library looks for the temporary folder (TMPDIR, then TEMP, TMP)."""
INSTALL_HINT = (
    "LibreOffice is not installed: install it with 'sudo apt-get install "
    "libreoffice-writer-nogui' (or run ./setup.sh), then try again"
)
_CONVERTED = re.compile(r"^convert (.+?) -> (.+?) using filter", re.MULTILINE)
_STALE_IN_OUT = (".~lock.*#", "lu*.tmp", ".*.pdf.*.tmp")
"""What a killed LibreOffice (older versions wrote straight into out/) or copy leaves in out/."""
_SETUP_VERSION = re.compile(rb'<prop oor:name="ooSetupVersion">\s*<value>(\d+\.\d+)</value>')
_SEED = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" \
oor:op="fuse"><value>{version}</value></prop></item>
</oor:items>
"""
"""A new profile's settings: this LibreOffice version has run before, so it does not run its
graphics self-test again (headless soffice never records the version itself). The profile's
extension folder is stamped with the build too: LibreOffice otherwise starts, finds the stamp
missing, and quits to be started again (its launcher restarts it), a second start of every
new profile."""

READER_THREAD = "soffice output"
"""The name of the threads that only read soffice's output (blocked on its pipe)."""
NO_PROFILE_BACKUP = "-env:SecureUserConfig=false"
"""LibreOffice otherwise copies the profile's settings into compressed backups ('user/pack')
every time it quits, so that a damaged profile can be restored in its safe mode: of no use for
a private profile the tool makes afresh when in doubt, and a tenth of a CPU second and more of
waiting for the disk at the end of every conversion."""

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


def process_count(documents: int, work: int = 0) -> int:
    """How many soffice processes share ``documents`` holding ``work`` bytes of document text
    (``split.xml_size``): one per core, a few documents or a few seconds of LibreOffice each."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    enough = max(documents // DOCUMENTS_PER_PROCESS, work // SPLIT_BYTES)
    return max(1, min(cores, MAX_PROCESSES, enough))


def split_evenly(files: Sequence[Path], parts: int) -> list[list[Path]]:
    """``files`` in ``parts`` groups of about the same work (the size of their document text,
    which LibreOffice's time follows; largest first, each to the lightest group), so that no
    process is left converting the one big document alone."""
    groups: list[list[Path]] = [[] for _ in range(max(1, min(parts, len(files))))]
    loads = [0] * len(groups)
    sizes = {Path(path): xml_size(path) for path in files}
    for path in sorted(files, key=lambda f: sizes[Path(f)], reverse=True):
        lightest = loads.index(min(loads))
        groups[lightest].append(path)
        loads[lightest] += sizes[Path(path)]
    return groups


def convert_to_pdf(
    docx_files: Sequence[Path],
    out_dir: Path,
    *,
    timeout: float | None = None,
    progress: Progress | None = None,
    profiles: Path | None = None,
    processes: int | None = None,
    splittable: Collection[Path] = (),
) -> list[Path]:
    """Convert all ``docx_files`` (in one soffice process, or split across cores) and move the
    PDFs into ``out_dir``; ``profiles`` is the case's folder of reused LibreOffice profiles."""
    with Conversion(
        docx_files,
        out_dir,
        timeout=timeout,
        progress=progress,
        profiles=profiles,
        processes=processes,
        splittable=splittable,
    ) as conversion:
        return conversion.wait()


class Conversion:
    """A conversion running in the background while the build does other work.

    ``with Conversion(...) as c:`` starts soffice; ``c.wait()`` waits for it, checks the PDFs
    and moves them into ``out_dir``. A document named in ``splittable`` (the chronology) that
    would keep one process busy while the others idle is converted in parts on every core and
    joined (``split.py``). Leaving the ``with`` block any other way (an error, Ctrl-C,
    SIGTERM) stops every soffice process group, discards the profiles they were using and
    removes the private work folder.
    """

    def __init__(
        self,
        docx_files: Sequence[Path],
        out_dir: Path,
        *,
        timeout: float | None = None,
        progress: Progress | None = None,
        profiles: Path | None = None,
        processes: int | None = None,
        linger: bool = False,
        splittable: Collection[Path] = (),
        warm: Warm | None = None,
    ) -> None:
        self.docx_files = [Path(f) for f in docx_files]
        self.warm = warm
        """The case's first profile held by the build, and the warm LibreOffice on it
        (``warm.py``): the first lane's documents go to it."""
        self.splittable = {Path(f) for f in splittable}
        self.parts: dict[Path, Parts] = {}
        """Documents converted in parts: their parts (in the work folder) and footer line."""
        self._parts_done: dict[str, int] = {}
        self.joined: dict[Path, Joined] = {}
        """Documents joined from parts, by their PDF in ``out_dir``: the joined PDF still in
        memory, for one bundle to be built on (``pack.PackDocument.joined``)."""
        self.linger = linger
        self.lingering = contextlib.ExitStack()
        """With ``linger``: what is left of a successful conversion once the ``with`` block
        ends (soffice quitting, its profile, the work folder), for the caller to close."""
        self.out_dir = Path(out_dir)
        self.limit = timeout_from_env() if timeout is None else timeout
        self.progress = progress
        self.profiles = profiles
        self.processes = processes
        self.expected = [self.out_dir / (f.stem + ".pdf") for f in self.docx_files]
        self._stack = contextlib.ExitStack()
        self._signals = _Signals()
        self._runs: list[_Run] = []
        self._finished = False
        self._done = 0
        self._lock = threading.Lock()

    def __enter__(self) -> Conversion:
        if not self.docx_files:
            return self
        soffice = find_soffice()
        make_private_dir(self.out_dir)
        clear_stale_files(self.out_dir)
        for stale in self.expected:
            stale.unlink(missing_ok=True)
        remove_abandoned_work()
        stack = self._stack
        try:
            stack.enter_context(_stop_on_signals(self._signals))
            with self._signals.held():  # a folder made is a folder removed
                work = stack.enter_context(_work_folder())
            self._work = work
            temp = make_private_dir(work / _TEMP)
            env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}
            env.update(dict.fromkeys(_TEMP_VARIABLES, str(temp)))
            inputs = make_private_dir(work / "in")
            self._outputs = make_private_dir(work / "out")
            sizes = [xml_size(docx) for docx in self.docx_files]
            count = self.processes or process_count(len(self.docx_files), sum(sizes))
            warm = self.warm
            if warm is not None and warm.running and sum(sizes) < SPLIT_BYTES:
                count = 1  # a running LibreOffice converts them sooner than a second one starts
            copies = []
            for docx, size in zip(self.docx_files, sizes, strict=True):
                pieces = part_count(size, sum(sizes), count)
                parts = None
                if docx in self.splittable and size >= SPLIT_BYTES and pieces > 1:
                    parts = make_parts(docx, pieces, inputs)
                if parts is not None:
                    self.parts[docx] = parts
                    copies += parts.docx
                    continue
                copy = inputs / docx.name
                shutil.copyfile(docx, copy)
                copies.append(copy)
            groups = split_evenly(copies, count)
            big = sum(sizes) >= SPLIT_BYTES
            if big:  # ours is handed back before soffice starts, as its peak comes with ours
                release_memory()
            taken: set[int] = set() if warm is None else {warm.slot}
            lanes = list(enumerate(groups))
            if warm is not None:  # its lane last: the others' soffice start while it waits
                lanes.reverse()
            for index, group in lanes:
                if warm is not None and index == 0:
                    warm.ready(self.limit)
                    stack.callback(lambda: warm.ended(self.finished()))
                    profile = warm.profile
                else:
                    profile = stack.enter_context(
                        _profile(
                            self.profiles, taken, work / f"profile-{index}", soffice, self.finished
                        )
                    )
                base = [
                    soffice,
                    f"-env:UserInstallation={profile.as_uri()}",
                    NO_PROFILE_BACKUP,
                    "--headless",
                    "--invisible",
                    "--nologo",
                    "--nodefault",
                    "--nolockcheck",
                    "--norestore",
                    "--convert-to",
                    PDF_EXPORT,
                    "--outdir",
                    str(self._outputs),
                ]
                commands = [[*base, *map(str, batch)] for batch in batches(group)]
                run = _Run(commands, env, self._converted, group, self._record_owner)
                # Registered before it starts: whatever starts is stopped (also whatever it left
                # running after a normal exit); no signal lands between a start and its record.
                stack.callback(run.stop)
                self._runs.append(run)
                with self._signals.held():
                    run.start()
            self._deadline = time.monotonic() + self.limit
            if not big:  # a small build's while soffice starts (a fraction of a second)
                release_memory()
        except BaseException:  # __exit__ is not called when __enter__ fails: stop soffice here
            with self._signals.held():
                stack.close()
            raise
        return self

    def _record_owner(self) -> None:
        with self._lock:  # also called by a lane's thread as it starts its next soffice
            groups = " ".join(str(run.process.pid) for run in self._runs if run.process)
            (self._work / _OWNER).write_text(f"{os.getpid()} {groups}", encoding="ascii")

    def _converted(self, name: str) -> None:
        for docx, parts in self.parts.items():
            if name in {part.name for part in parts.docx}:
                with self._lock:
                    done = self._parts_done[docx.name] = self._parts_done.get(docx.name, 0) + 1
                if done < len(parts.docx):
                    return  # a document is converted when its last part is
                name = docx.name
        if self.progress:
            with self._lock:  # one line at a time from the processes' reader threads
                self._done += 1
                self.progress(self._done, len(self.docx_files), name)

    def wait(self) -> list[Path]:
        """Wait for soffice, check each PDF and move it into ``out_dir`` (0600).

        With ``linger``, a soffice whose every PDF is written and whole is not waited for: it
        quits (about a fifth of a second) while the caller goes on, and ``lingering`` waits
        for it.
        """
        if not self.docx_files:
            return []
        output = ""
        for run in self._runs:
            while not (self.linger and self._written(run)):
                if run.done.wait(timeout=0.02 if self.linger else min(self._left(), 1.0)):
                    break
                if self._left() <= 0:
                    raise UserError(
                        f"LibreOffice took longer than {self.limit:g} seconds and was "
                        "stopped; close other LibreOffice windows and try again, allow more "
                        f"time with --timeout SECONDS (or {TIMEOUT_ENV}), or build fewer "
                        "documents with --only"
                    )
            if run.done.is_set():
                run.stop()
                if run.process.returncode < 0:
                    raise UserError(
                        f"LibreOffice was stopped by signal {-run.process.returncode} before it "
                        "finished (perhaps by the system for lack of memory); run the build again"
                    )
            output += run.output()
        made = [self._outputs / pdf.name for pdf in self.expected]
        for docx, pdf in zip(self.docx_files, made, strict=True):
            parts = self.parts.get(docx)
            if parts is None:
                _check_pdf(pdf, output)
                continue
            pieces = [self._outputs / (part.stem + ".pdf") for part in parts.docx]
            readers = [_check_pdf(piece, output) for piece in pieces]  # read once, for both
            self.joined[self.out_dir / pdf.name] = join(readers, parts.footer, pdf)
            del readers
            for piece in pieces:
                piece.unlink()
        for pdf, final in zip(made, self.expected, strict=True):
            _move_private(pdf, final)
        self._finished = True
        return self.expected

    def _left(self) -> float:
        return max(0.0, self._deadline - time.monotonic())

    def _written(self, run: _Run) -> bool:
        """Whether soffice has written every PDF of ``run`` to the end: each ends its file
        (``%%EOF``), is no longer locked by LibreOffice (it locks a file while writing it) and
        has kept its size since the last look. ``wait`` then reads each one whole."""
        sizes = []
        for docx in run.inputs:
            pdf = self._outputs / (docx.stem + ".pdf")
            try:
                with pdf.open("rb") as handle:
                    size = os.fstat(handle.fileno()).st_size
                    handle.seek(max(0, size - 1024))
                    if b"%%EOF" not in handle.read():
                        return False
            except OSError:
                return False
            if (self._outputs / f".~lock.{pdf.name}#").exists():
                return False
            sizes.append(size)
        steady, run.sizes = sizes == run.sizes, sizes  # the same at two looks, 20 ms apart
        return steady

    def finished(self) -> bool:
        """Whether every soffice finished of its own accord and every PDF was checked."""
        return self._finished and all(run.succeeded() for run in self._runs)

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        if exc_type is None and self.linger and self._finished:
            # soffice is left to quit while the caller goes on; ``lingering`` waits for it,
            # then stops what is left, keeps or discards the profiles, removes the folder.
            self.lingering = contextlib.ExitStack()
            self.lingering.callback(self._signals.release)
            self.lingering.enter_context(self._stack.pop_all())
            self.lingering.callback(self._signals.hold)  # once it has quit, or was interrupted
            self.lingering.push(self._quit)
            return
        with self._signals.held():  # a second Ctrl-C must not cut the stopping short
            self._stack.close()  # stops soffice, keeps or discards the profiles, removes the folder

    def _quit(self, exc_type: object, *_exc: object) -> bool:
        """Wait (within the time limit) for each soffice to quit of its own accord, unless the
        caller failed; whatever is still running afterwards is stopped."""
        if exc_type is None:
            for run in self._runs:
                run.done.wait(timeout=self._left())
        return False


class _Run:
    """One lane of a conversion: soffice processes converting ``batches`` one after another,
    each in its own process group, their output read as it comes.

    Why batches: a soffice process keeps some of the memory of every document it converted,
    and its peak follows the biggest; a big document (or a part of the chronology) gets a
    soffice of its own, so that each process holds one big document at most, while small
    documents share one process (a start of LibreOffice costs about a third of a CPU second).
    """

    def __init__(
        self,
        commands: Sequence[list[str]],
        env: dict[str, str],
        converted: Callable[[str], None],
        inputs: Sequence[Path],
        started: Callable[[], None],
    ) -> None:
        self.inputs = list(inputs)
        self.sizes: list[int] = []
        """The sizes of its PDFs when last found written (see ``Conversion._written``)."""
        self.lines: list[str] = []
        self._env = env
        self._reported: set[str] = set()
        self._reporting = threading.Lock()
        self._converted = converted
        self._started = started
        self._pending = list(commands)
        self._lock = threading.Lock()
        self._stopped = False
        self.process: subprocess.Popen[str] | None = None
        self.readers: list[threading.Thread] = []
        self._lane: threading.Thread | None = None
        self.done = threading.Event()
        """Set when the lane's last soffice has ended, or one failed (the rest never start)."""

    def start(self) -> None:
        """Start the first batch's soffice and the thread that waits for it (and starts the
        next batches). Called once ``stop`` is registered, signals held: see ``_start``."""
        with self._lock:
            if self._stopped:
                return
            self._start(self._pending.pop(0))
            self._lane = threading.Thread(
                target=self._next if self._pending else self._last,
                daemon=True,
                name=READER_THREAD,
            )
            self._lane.start()

    def _start(self, command: list[str]) -> None:
        """Start one soffice, with the lane's lock held: ``stop`` (which takes the lock) either
        comes first, and nothing starts, or finds the process started and recorded (the build's
        owner file, for the clean-up after a kill -9)."""
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            env=self._env,
            start_new_session=True,
        )

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                self.lines.append(line)
                match = _CONVERTED.match(line)
                if match:
                    self._report(Path(match[1]).name)

        reader = threading.Thread(target=read, daemon=True, name=READER_THREAD)
        reader.start()
        self.readers.append(reader)
        self.process = process
        self._started()

    def _report(self, name: str) -> None:
        with self._reporting:  # once each, from the reader or from ``_report_rest``
            if name in self._reported:
                return
            self._reported.add(name)
        self._converted(name)

    def _report_rest(self) -> None:
        """Once the lane's last soffice has ended well: report the documents it named no line
        for (a soffice that handed its work to a warm LibreOffice prints none; ``warm.py``)."""
        if self.process is not None and self.process.returncode == 0 and not self._pending:
            for docx in self.inputs:
                self._report(docx.name)

    def _last(self) -> None:
        assert self.process is not None
        self.process.wait()
        self._report_rest()
        self.done.set()

    def _next(self) -> None:
        """Start each batch's soffice when the one before it has ended of its own accord."""
        try:
            while True:
                process = self.process
                assert process is not None
                process.wait()
                with self._lock:
                    if process.returncode != 0 or self._stopped or not self._pending:
                        break
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(process.pid, signal.SIGKILL)  # anything it left running
                    self._start(self._pending.pop(0))
            self._report_rest()
        finally:
            self.done.set()

    def succeeded(self) -> bool:
        """Whether every batch was converted by a soffice that ended of its own accord."""
        return (
            self.done.is_set()
            and not self._pending
            and self.process is not None
            and self.process.returncode == 0
        )

    def stop(self) -> None:
        """Stop soffice and everything it started (oosplash, soffice.bin), then reap it; no
        further batch starts, and the lane's threads are done before the work folder goes."""
        with self._lock:
            self._stopped = True
            process = self.process
            if process is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
        if process is None:  # stopped before it started
            self.done.set()
            return
        process.wait()
        for thread in [*self.readers, self._lane]:
            if (
                thread is not None
                and thread.is_alive()
                and thread is not threading.current_thread()
            ):
                thread.join(timeout=5)

    def output(self) -> str:
        return "".join(self.lines)


def batches(files: Sequence[Path]) -> list[list[Path]]:
    """``files`` (one lane's, in order) in batches for one soffice each: a document with
    ``SPLIT_BYTES`` of text or more alone, the smaller ones together up to that much."""
    found: list[list[Path]] = []
    held = 0
    for path in files:
        size = xml_size(path)
        if found and held + size < SPLIT_BYTES:
            found[-1].append(path)
            held += size
        else:
            found.append([path])
            held = size
    return found


def release_memory() -> None:
    """Free what rendering left behind and hand it back to the system, before soffice starts.

    The documents' XML trees are garbage with reference cycles, and the C library keeps freed
    memory for later; the peak of a build is LibreOffice's memory plus ours, so ours is made as
    small as it can be before LibreOffice reaches its own peak (tens of MB on the sample).
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # glibc only
        ctypes.CDLL(None).malloc_trim(0)


@functools.cache
def _product_version(soffice: str) -> str | None:
    """'7.4': the version LibreOffice compares with a profile's last one (from its registry)."""
    program = Path(soffice).resolve().parent
    with contextlib.suppress(OSError):
        found = _SETUP_VERSION.search((program.parent / "share/registry/main.xcd").read_bytes())
        if found:
            return found[1].decode("ascii")
    return None


@functools.cache
def _build_id(soffice: str) -> str | None:
    """'40(Build:2)': the build a profile's extension folder is stamped with (``versionrc``)."""
    with contextlib.suppress(OSError):
        text = (Path(soffice).resolve().parent / "versionrc").read_text(encoding="utf-8")
        found = re.search(r"^buildid=(.+)$", text, re.MULTILINE)
        if found:
            return found[1].strip()
    return None


def _seed_profile(profile: Path, soffice: str) -> None:
    """Make ``profile`` a new profile that does not run LibreOffice's first-start self-test."""
    shutil.rmtree(profile, ignore_errors=True)
    user = make_private_dir(profile / "user")
    version = _product_version(soffice)
    if version:
        (user / "registrymodifications.xcu").write_text(
            _SEED.format(version=version), encoding="utf-8"
        )
    build = _build_id(soffice)
    if build:  # else LibreOffice starts, finds no extensions made by this build, and restarts
        (make_private_dir(user / "extensions") / "buildid").write_text(build, encoding="utf-8")


def _converter(soffice: str) -> str:
    """A short fingerprint of the LibreOffice build (a profile is not carried across builds)."""
    from .reuse import converter_identity

    return hashlib.sha256(converter_identity(soffice).encode("utf-8")).hexdigest()[:16]


@contextlib.contextmanager
def _profile(
    root: Path | None, taken: set[int], fresh: Path, soffice: str, finished: Callable[[], bool]
) -> Iterator[Path]:
    """A profile for one soffice process: a free reused one under ``root``, else ``fresh``.

    Yields its folder. A reused profile is marked as in use while soffice runs and kept only if
    ``finished()`` says the conversion ended of its own accord; otherwise it is removed.
    """
    held = _hold_profile(root, taken) if root is not None else None
    if held is None:
        _seed_profile(fresh, soffice)
        yield fresh
        return
    slot, fd = held
    profile = root.absolute() / str(slot)
    try:
        converter = _converter(soffice)
        _prepare_profile(profile, soffice, converter)
        try:
            yield profile
        finally:
            _leave_profile(profile, converter, finished=finished())
    finally:
        os.close(fd)
        taken.discard(slot)


def _prepare_profile(profile: Path, soffice: str, converter: str) -> None:
    """Make a held profile ready for soffice, and mark it as in use."""
    try:
        state = json.loads((profile / _PROFILE_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    if state != {"converter": converter, "in_use": False}:
        # New, made by another LibreOffice, or left in use by a build that was killed.
        _seed_profile(profile, soffice)
    write_private(
        profile / _PROFILE_STATE, json.dumps({"converter": converter, "in_use": True}).encode()
    )


def _leave_profile(profile: Path, converter: str, *, finished: bool) -> None:
    """Keep a profile soffice has finished with of its own accord; remove any other."""
    if finished:
        write_private(
            profile / _PROFILE_STATE,
            json.dumps({"converter": converter, "in_use": False}).encode(),
        )
    else:
        shutil.rmtree(profile, ignore_errors=True)


def _hold_profile(root: Path, taken: set[int], only: int | None = None) -> tuple[int, int] | None:
    """Lock the first free profile slot of ``root`` (or slot ``only``): (slot, lock fd), or None
    when every slot is in use by other builds of the case or the case folder cannot be written."""
    try:
        make_private_dir(root)
    except OSError:
        return None
    for slot in range(MAX_PROCESSES) if only is None else [only]:
        if slot in taken:
            continue
        try:
            fd = os.open(root / f"{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        taken.add(slot)
        return slot, fd
    return None


def _check_pdf(pdf: Path, output: str) -> PdfReader:
    """A PDF LibreOffice really finished: there, not empty, and readable to its last page.

    Returns it as read (``pdf_tags.read_converted``: LibreOffice's cross-reference tables are
    exact, so objects are not looked at twice), for a part that is joined next.
    """
    from pypdf.errors import PyPdfError

    from .pdf_tags import read_converted

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
        reader = read_converted(pdf)
        if len(reader.pages) == 0:
            raise ValueError("it has no pages")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UserError(
            f"LibreOffice wrote a damaged {pdf.name} ({str(exc)[:120] or type(exc).__name__}); "
            "run the build again, and if it happens again run 'harassment-pack doctor' "
            "(reinstalling LibreOffice usually fixes it)"
        ) from None
    return reader


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
        (work / _OWNER).write_text(f"{os.getpid()}", encoding="ascii")
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def remove_abandoned_work(root: Path | None = None) -> list[Path]:
    """Remove work folders of conversions whose build was killed outright (kill -9).

    A folder belongs to a dead run when the build process named in it no longer exists; its
    soffice process groups, if still running LibreOffice, are stopped first, and so is any
    process whose temporary folder is in it (one started just before the kill, not yet
    recorded; oosplash and soffice.bin inherit soffice's environment).
    """
    root = Path(root or tempfile.gettempdir())
    removed = []
    for work in root.glob(f"{WORK_PREFIX}*"):
        try:
            pid, *groups = (int(part) for part in (work / _OWNER).read_text().split())
        except (OSError, ValueError):
            continue  # another user's folder, or one being created this moment
        if _alive(pid):
            continue
        for pgid in groups:
            if _is_soffice_group(pgid):
                with contextlib.suppress(OSError):
                    os.killpg(pgid, signal.SIGKILL)
        for pid in _processes_with_temp(work / _TEMP):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)
        removed.append(work)
    day_ago = time.time() - 86400
    for old in root.glob(f"{_OLD_PROFILE_PREFIX}*"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < day_ago and old.stat().st_uid == os.getuid():
                shutil.rmtree(old, ignore_errors=True)
                removed.append(old)
    return removed


def _processes_with_temp(temp: Path) -> list[int]:
    """This user's processes started with ``temp`` as their ``TMPDIR`` (others' environments
    cannot be read)."""
    wanted = b"\0TMPDIR=" + bytes(temp) + b"\0"
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError):
            if wanted in b"\0" + (proc / "environ").read_bytes():
                found.append(int(proc.name))
    return found


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


class _Signals:
    """SIGINT, SIGTERM and SIGHUP as KeyboardInterrupt, held back while soffice starts or stops.

    Why held back: a signal landing inside ``Popen`` (soffice running, its process not yet
    handed back) or half-way through stopping the processes (a second Ctrl-C) would leave
    LibreOffice running after the tool exits. One that comes while held is raised as soon as
    the start or the stop is complete. Signal handlers run in the main thread only, so only it
    holds; a lane's thread starts its soffice under the lane's lock instead (see ``_Run``).
    """

    def __init__(self) -> None:
        self._holding = 0
        self._pending: int | None = None

    def interrupt(self, signum: int, _frame: object) -> None:
        if self._holding:
            self._pending = signum
            return
        raise KeyboardInterrupt(f"signal {signum}")

    def hold(self) -> None:
        self._holding += 1

    def release(self) -> None:
        """End one hold; the last one raises the signal that came meanwhile."""
        self._holding -= 1
        if not self._holding and self._pending is not None:
            signum, self._pending = self._pending, None
            raise KeyboardInterrupt(f"signal {signum}")

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.hold()
        try:
            yield
        finally:
            self.release()


@contextlib.contextmanager
def _stop_on_signals(signals: _Signals) -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into ``signals``' KeyboardInterrupt while LibreOffice
    runs (one the process ignores, as under ``nohup``, stays ignored).

    The default action of SIGTERM and SIGHUP ends Python at once, leaving soffice running and
    its folder behind; as an exception they pass through the ``finally`` that kills the group
    and cleans up.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) is not signal.SIG_IGN:
            previous[sig] = signal.signal(sig, signals.interrupt)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
