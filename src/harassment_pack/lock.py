"""One writer at a time per case: an advisory lock (fcntl) around every read-modify-write.

Why: ``import … &`` and ``interview --answers`` on the same case each read case.yaml, changed it
in memory and wrote it back, so the slower one silently dropped the other's incidents. Every
command that changes a case now holds ``CASE/.lock`` while it reads, changes and writes it. A
second command waits a little (``HARASSMENT_PACK_LOCK_WAIT`` seconds, default 10) and then stops
with one line naming the command that holds the case, instead of losing anyone's answers.

The lock is ``flock`` on an open file: the kernel releases it when the holder exits or is killed,
so a crash never leaves a case locked. The file only records who holds it (command, process id,
start time) for the message, holds no case content, and is removed when the holder finishes.
Locks are re-entrant within one thread (an import registering evidence, for example), counted
per case folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from .errors import UserError
from .files import FILE_MODE
from .oserrors import os_error_line

LOCK_FILENAME = ".lock"
WAIT_ENV = "HARASSMENT_PACK_LOCK_WAIT"
DEFAULT_WAIT = 10.0

_held: dict[tuple[Path, int], tuple[int, int]] = {}
"""(Case folder (resolved), thread) -> (open lock file descriptor, nesting depth).

Re-entrant per thread, not per process: the web interview answers requests in threads, and two
of them changing one case at once must queue like two commands do (flock locks belong to each
open file, so a second thread's own descriptor waits for the first)."""
_guard = threading.Lock()


Notify = Callable[[str], None]


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def lock_wait() -> float:
    """How long a command waits for another to finish with a case, from the environment."""
    text = os.environ.get(WAIT_ENV, "").strip()
    if not text:
        return DEFAULT_WAIT
    try:
        value = float(text)
    except ValueError:
        raise UserError(
            f"{WAIT_ENV}={text!r} is not a number of seconds (unset it, or set e.g. {WAIT_ENV}=30)"
        ) from None
    return max(0.0, value)


def _holder(fd: int) -> str:
    """Who holds the lock, as the lock file says: "'import' (process 123, started 23:05:10)"."""
    try:
        raw = os.pread(fd, 4096, 0)
        info = json.loads(raw.decode("utf-8"))
        return (
            f"'harassment-pack {info['command']}' (process {int(info['pid'])}, started "
            f"{info['started']})"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "another harassment-pack command"


def _open(case_dir: Path) -> int:
    path = case_dir / LOCK_FILENAME
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    except OSError as exc:
        raise UserError(os_error_line(exc, path, "lock the case")) from None


@contextlib.contextmanager
def case_lock(
    case_dir: Path, command: str, *, wait: float | None = None, notify: Notify | None = None
) -> Iterator[None]:
    """Hold the case's write lock for the ``with`` block; wait, then explain who holds it.

    ``command`` names this command in the message another command shows ("import",
    "evidence add", "interview"). The case folder must exist. Once the lock is held, whatever
    a killed command left unfinished on the case is cleaned up, with a line to ``notify``
    (standard error by default).
    """
    folder = Path(case_dir).resolve()
    key = (folder, threading.get_ident())
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            _release(key)
        return

    limit = lock_wait() if wait is None else wait
    deadline = time.monotonic() + limit
    fd = _acquire(folder, case_dir, deadline, limit)
    try:
        info = {
            "command": command,
            "pid": os.getpid(),
            "started": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        }
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
    except BaseException as exc:
        os.close(fd)
        if isinstance(exc, OSError):  # a full disk has no room even for who holds the case
            raise UserError(os_error_line(exc, case_dir / LOCK_FILENAME, "lock the case")) from None
        raise
    with _guard:
        _held[key] = (fd, 1)
    try:
        from .transaction import recover_case

        recover_case(folder, notify or _to_stderr)
        yield
    finally:
        _release(key)


def _acquire(key: Path, case_dir: Path, deadline: float, limit: float) -> int:
    """Lock ``CASE/.lock``; retry if the file was removed by the holder just before we got it.

    The holder removes the file as it lets go (so no stray file stays in the case folder); a
    waiter that then locks the removed file holds nothing, so it checks it locked the file that
    is still there and otherwise opens the new one.
    """
    while True:
        fd = _open(key)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise UserError(
                            f"{case_dir}: the case is being changed by {_holder(fd)}; wait for it "
                            f"to finish (or close it), then run this again (waited {limit:g} "
                            f"seconds; set {WAIT_ENV} to wait longer)"
                        ) from None
                    time.sleep(0.1)
            try:
                same = os.stat(key / LOCK_FILENAME).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            return fd
        os.close(fd)


def _release(key: tuple[Path, int]) -> None:
    with _guard:
        fd, depth = _held[key]
        if depth > 1:
            _held[key] = (fd, depth - 1)
            return
        del _held[key]
    with contextlib.suppress(OSError):
        os.unlink(key[0] / LOCK_FILENAME)  # still locked: nobody else can be holding this file
    os.close(fd)  # closing the descriptor releases the flock


def holds_lock(case_dir: Path) -> bool:
    """Whether this process holds the case's lock (for code that must run under it)."""
    return (Path(case_dir).resolve(), threading.get_ident()) in _held
