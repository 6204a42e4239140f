"""Operating-system errors as one line a person can act on: what failed, where, and the fix.

Why: a read-only folder, a full disk or a mistyped path are things the person can put right;
a Python traceback tells them nothing and frightens them. The CLI turns every ``OSError`` that
reaches it into one of these lines (``--debug`` shows the traceback instead).
"""

from __future__ import annotations

import errno
from pathlib import Path

_FIXES: dict[int, str] = {
    errno.EACCES: "permission denied (check that you own it and may write there: ls -ld "
    "shows the owner; or choose a folder of your own)",
    errno.EPERM: "not permitted (check that you own it, or choose a folder of your own)",
    errno.ENOSPC: "the disk is full (free some space, then run the same command again; the case "
    "file is only replaced once a complete new copy is written, so nothing saved is lost)",
    errno.EDQUOT: "your disk quota is used up (free some space, then run the same command again)",
    errno.ENOENT: "no such file or folder (check the spelling and the folder it is in)",
    errno.ENOTDIR: "part of this path is a file, not a folder (check the path)",
    errno.EISDIR: "is a folder, not a file (name a file inside it)",
    errno.EROFS: "the disk is read-only (copy the case to a writable folder and use that)",
    errno.ENAMETOOLONG: "the name is too long (use a shorter file or folder name)",
    errno.EEXIST: "already exists (choose another name, or move it out of the way)",
    errno.EMFILE: "too many files are open (close some programs and try again)",
    errno.ELOOP: "too many symbolic links in the path (use the real folder)",
    errno.EIO: "the disk reported a read or write error (check the disk or copy the case "
    "elsewhere)",
}


def os_error_line(exc: OSError, path: Path | str | None = None, action: str | None = None) -> str:
    """'PATH: cannot ACTION: what happened (how to fix it)' for one OSError."""
    where = path if path is not None else (exc.filename or "")
    if path is None and exc.filename2:  # a move: the folder it goes into is the one to fix
        where, action = Path(exc.filename2).parent, action or "move a file into this folder"
    fix = _FIXES.get(exc.errno or -1) or f"{exc.strerror or exc} (check the path and try again)"
    doing = f"cannot {action}: " if action else ""
    prefix = f"{where}: " if where != "" else ""
    return f"{prefix}{doing}{fix}"


def nul_path_line(exc: ValueError) -> str | None:
    """The one line for a path holding a NUL character (Python raises ValueError for those)."""
    if "null byte" in str(exc) or "NUL" in str(exc):
        return (
            "a file or folder name contains a NUL character (\\0), which no file name can hold "
            "(check the path, e.g. an evidence 'file:' in case.yaml, for pasted control characters)"
        )
    return None
