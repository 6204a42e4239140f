"""Private, atomic file writing: everything harassment-pack writes goes through here.

Case files and packs hold a victim's address and evidence, so files are created 0600 and folders
0700, and a write is all or nothing: temp file, fsync, rename.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o600
DIR_MODE = 0o700


def make_private_dir(path: Path) -> Path:
    """Create a folder (and any missing parents) readable only by its owner."""
    path = Path(path)
    if not path.is_dir():
        # Only folders we create are made private: an existing folder the user chose (even ".")
        # keeps the permissions they gave it.
        try:
            path.mkdir(mode=DIR_MODE, parents=True)
        except FileExistsError:
            return path  # made a moment ago by another thread (parallel OCR) or process
        os.chmod(path, DIR_MODE)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write a file atomically, readable only by its owner.

    Temp file in the same folder, fsync, rename, fsync of the folder: after a crash or power cut
    the file is either the old version or the new one, never half of each.
    """
    write_private_with(path, lambda handle: handle.write(data))


def write_private_with(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """``write_private`` for a file written piece by piece by ``write`` (a pack with hundreds
    of screenshots is never whole in memory)."""
    path = Path(path)
    if not path.parent.is_dir():
        make_private_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException as exc:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:  # a full disk says no file name
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_scratch(path: Path, data: bytes) -> None:
    """Write a scratch file that lives only while this build runs (in a private temporary
    folder), readable only by its owner: no fsync, no rename, because nothing is lost if it is
    cut short, and a build writing hundreds of them should not wait for the disk each time."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in blocks so large videos do not fill memory."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
