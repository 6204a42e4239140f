"""Multi-file changes to a case as transactions: staged out of sight, committed by one write.

Why: ``evidence add``, ``import`` and ``new --answers`` each copy files into ``evidence/`` and
change ``case.yaml``. Killed between the two, they used to leave copies nobody had registered
(re-running then made ``-2`` duplicates), half-extracted attachment folders, or half a case.

Now every new file is first written into ``CASE/.staging/<run>/`` (hidden, private). Committing
records in the run's journal which files it is about to move, renames them into place, and then
writes the case file (or the interview's progress file) once, atomically: that write is the
commit. Whatever a run killed at any moment leaves is found by the next command that takes the
case's lock (``recover``): files the case does not register are removed, the staging folder is
deleted, and one line says what was tidied up.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from .case import CASE_FILENAME, EVIDENCE_DIRNAME, remove_stray_imports
from .errors import UserError
from .files import make_private_dir, write_private, write_private_with

STAGING_DIRNAME = ".staging"
_JOURNAL = "journal.json"

Notify = Callable[[str], None]


class Transaction:
    """New files for one change of a case, kept in a private staging folder until ``commit``."""

    def __init__(self, case_dir: Path, command: str) -> None:
        self.case_dir = Path(case_dir)
        self.command = command
        root = make_private_dir(self.case_dir / STAGING_DIRNAME)
        slug = "".join(ch if ch.isalnum() else "-" for ch in command)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{slug}-", dir=root))
        self.started = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        self._moves: list[tuple[Path, Path]] = []
        try:
            self._journal("staging", [])
        except BaseException:  # a full disk: leave no empty staging folder behind
            self.discard()
            raise

    def _journal(self, state: str, files: list[str]) -> None:
        record = {"command": self.command, "started": self.started, "state": state, "files": files}
        write_private(self.folder / _JOURNAL, json.dumps(record).encode("utf-8"))

    def scratch(self) -> Path:
        """A private folder inside the staging area for work files (removed with it)."""
        return make_private_dir(Path(tempfile.mkdtemp(prefix="work-", dir=self.folder)))

    def stage(self, final: Path, data: bytes) -> None:
        """Write ``data`` for ``final`` (inside the case) into the staging folder."""
        staged = self.folder / f"{len(self._moves)}-{final.name}"
        write_private(staged, data)
        self._moves.append((staged, Path(final)))

    def stage_copy(self, final: Path, source: Path, sha256: str) -> None:
        """``stage`` a copy of the file ``source``, read in blocks; it must still have the
        SHA-256 it was registered with (a file changed meanwhile is refused, not half-kept)."""
        staged = self.folder / f"{len(self._moves)}-{final.name}"
        digest = hashlib.sha256()

        def copy(handle: BinaryIO) -> None:
            with Path(source).open("rb") as original:
                while block := original.read(1024 * 1024):
                    digest.update(block)
                    handle.write(block)

        write_private_with(staged, copy)
        if digest.hexdigest() != sha256:
            staged.unlink()
            raise UserError(
                f"{source}: the file changed while it was being added; wait until it is "
                "complete (a download or copy still running?) and add it again"
            )
        self._moves.append((staged, Path(final)))

    @property
    def staged(self) -> list[Path]:
        """Where the staged files will go, in order."""
        return [final for _, final in self._moves]

    def commit(
        self, write_case: Callable[[], Any], written: Callable[[], bool] = lambda: False
    ) -> None:
        """Move the staged files into place, then ``write_case()``: the one write that commits.

        If anything fails before ``write_case`` has written, the moved files are taken back out
        and the case is as it was. ``written`` says whether a failing ``write_case`` had already
        saved what refers to the files (the interview's progress file), which keeps them.
        """
        relative = [final.relative_to(self.case_dir).as_posix() for final in self.staged]
        self._journal("moving", relative)
        moved: list[Path] = []
        try:
            for staged, final in self._moves:
                make_private_dir(final.parent)
                if final.exists():
                    raise FileExistsError(f"{final} appeared while it was being added")
                os.replace(staged, final)
                moved.append(final)
            write_case()
        except BaseException:
            if not written():
                for final in moved:
                    final.unlink(missing_ok=True)
            self.discard()
            raise
        self.discard()

    def discard(self) -> None:
        """Remove the staging folder (after a commit, or to give up)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.folder.parent.rmdir()  # only when empty: no other run is staging

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()  # a no-op after a commit


def recover(case_dir: Path, registered: Callable[[], set[str] | None], notify: Notify) -> int:
    """Clean up after runs that were killed on this case; return how many were found.

    ``registered`` gives the files (relative to the case) the case or saved interview progress
    refers to; a moved file not among them was never committed and is removed. Must run under
    the case's lock, so no live run is staging.
    """
    root = Path(case_dir) / STAGING_DIRNAME
    if not root.is_dir():
        return 0
    found = 0
    known: set[str] | None = None
    looked = False
    for folder in sorted(root.iterdir()):
        found += 1
        try:
            journal = json.loads((folder / _JOURNAL).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            journal = {"command": "command", "started": "earlier", "state": "staging"}
        removed = 0
        if journal.get("state") == "moving":
            if not looked:
                known, looked = registered(), True
            for name in journal.get("files", []) if known is not None else []:
                path = Path(case_dir) / name
                if name not in known and path.is_file():
                    path.unlink()
                    removed += 1
        shutil.rmtree(folder, ignore_errors=True)
        what = (
            f"its {removed} copied file(s) were not yet saved in the case and have been "
            "removed, so run it again to add them"
            if removed
            else "nothing of it had been saved in the case, so run it again if it did not finish"
        )
        if journal.get("state") == "moving" and not removed:
            what = "it had saved the case just before it stopped; its temporary files are removed"
        notify(
            f"{case_dir}: a '{journal.get('command')}' started {journal.get('started')} was "
            f"stopped before it finished: {what}."
        )
    with contextlib.suppress(OSError):
        root.rmdir()
    return found


_TEMP_FILE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
"""What ``files.write_private`` writes before its rename (``.case.yaml.k2j4x9q_.tmp``)."""


def recover_case(case_dir: Path, notify: Notify) -> int:
    """``recover`` with what the case file and the saved interview progress register, and the
    temporary files of atomic writes (and old versions' ``.import-*`` folders) a kill left,
    and imported-messages files case.yaml does not name (a save killed before its commit)."""
    case_dir = Path(case_dir)
    found = 0
    if (case_dir / STAGING_DIRNAME).is_dir():
        found = recover(case_dir, lambda: _registered(case_dir), notify)
    unnamed = remove_stray_imports(case_dir)
    if unnamed:
        notify(
            f"{case_dir}: removed {unnamed} file(s) of imported messages that {CASE_FILENAME} "
            "does not name, left by a command that was stopped while saving; what it had saved "
            "is kept."
        )
        found += unnamed
    stray = [path for path in case_dir.glob(".import-*") if path.is_dir()]
    for folder in (case_dir, case_dir / EVIDENCE_DIRNAME):
        with contextlib.suppress(OSError):
            stray += [path for path in folder.iterdir() if _TEMP_FILE.match(path.name)]
    for path in stray:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    if stray:
        notify(
            f"{case_dir}: removed {len(stray)} temporary file(s) left by a command that was "
            "stopped while saving; what it had saved is kept."
        )
    return found + len(stray)


def _registered(case_dir: Path) -> set[str] | None:
    """Evidence files named by case.yaml or by the interview's progress file; None when either
    cannot be read (then nothing is removed)."""
    from .interview.session import PROGRESS_FILENAME
    from .strict_yaml import read_limited, read_yaml_with_lines

    names: set[str] = set()
    for filename in (CASE_FILENAME, PROGRESS_FILENAME):
        path = case_dir / filename
        if not path.is_file():
            continue
        try:
            data, _ = read_yaml_with_lines(read_limited(path), str(path))
        except (OSError, UserError):
            return None  # cannot tell what is registered: remove nothing
        if filename == PROGRESS_FILENAME and isinstance(data, dict):
            data = data.get("data")
        evidence = data.get("evidence") if isinstance(data, dict) else None
        for item in evidence if isinstance(evidence, list) else []:
            if isinstance(item, dict) and isinstance(item.get("file"), str):
                names.add(item["file"])
    return names
