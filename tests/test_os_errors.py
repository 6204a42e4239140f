"""A read-only folder, a read-only disk and a full disk: one line with the path and the fix, and
nothing the person saved is lost (case.yaml and the exhibits are byte for byte as they were, and
the same command works once the problem is put right, adding nothing twice).

The suite often runs as root, for whom folder permissions do not apply, so each fault is made
real in a way the machine allows, and the test says why when none is:
- a folder without write permission: as an ordinary user, ``chmod`` is enough; as root, the
  command runs in a new user namespace with no root mapping (``unshare --user``), where the kernel
  checks the folder's owner bits even for root's files; failing that, as ``nobody`` (``setpriv``).
- a read-only disk and a full disk: a read-only bind mount and a 1 MB tmpfs filled to the last
  byte, inside ``unshare --user --mount --map-root-user`` (or ``unshare --mount`` for root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest

from harassment_pack.case import CASE_FILENAME, load_case
from harassment_pack.interview import PROGRESS_FILENAME
from harassment_pack.transaction import STAGING_DIRNAME

from .conftest import ONE_INCIDENT_ANSWERS

ROOT = Path(__file__).resolve().parent.parent
PICTURE = sorted((ROOT / "samples" / "jane-smith" / "evidence").glob("*.png"))[0]
CHAT = ROOT / "tests" / "data" / "whatsapp" / "android_mixed.txt"
MORE = f"""\
incidents:
  - when: 15/09/2026 20:05
    platform: Instagram
    respondent: r1
    kinds: [abuse]
    summary: Second typed incident.{" It went on." * 1000}
"""
NOBODY = 65534


def _cli(*args: object) -> list[str]:
    return [sys.executable, "-m", "harassment_pack", *map(str, args)]


def _works(command: list[str]) -> bool:
    try:
        done = subprocess.run(command, capture_output=True, timeout=60, check=False)
    except OSError:
        return False
    return done.returncode == 0


@cache
def _without_root_powers() -> tuple[list[str], int | None]:
    """How to run a command so that folder permissions apply to it: (prefix, owner to give the
    case to, or None), or skip saying why not."""
    if os.geteuid() != 0:
        return [], None
    if shutil.which("unshare") and _works(["unshare", "--user", "true"]):
        return ["unshare", "--user"], None
    nobody = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    if shutil.which("setpriv") and _works([*nobody, *_cli("--help")]):
        return nobody, NOBODY
    pytest.skip(
        "running as root, and neither user namespaces (unshare --user) nor setpriv to an "
        "unprivileged user that can run this Python are allowed here"
    )


@cache
def _mount_namespace() -> list[str]:
    """A prefix that runs a shell script in its own mount namespace, or skip saying why not."""
    probe = "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d && umount $d && rmdir $d"
    for prefix in (["unshare", "--user", "--mount", "--map-root-user"], ["unshare", "--mount"]):
        if shutil.which("unshare") and _works([*prefix, "sh", "-c", probe]):
            return prefix
    pytest.skip(
        "no mount namespace can be made here (unshare --user --mount, or root's "
        "unshare --mount), so a full or read-only disk cannot be simulated"
    )


@pytest.fixture()
def case_dir(tmp_path) -> Path:
    """A case with one incident and one exhibit, made by the real commands."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(ONE_INCIDENT_ANSWERS, encoding="utf-8")
    (tmp_path / "more.yaml").write_text(MORE, encoding="utf-8")
    case_dir = tmp_path / "case"
    for command in (
        _cli("new", case_dir, "--answers", answers),
        _cli("evidence", "add", case_dir, PICTURE),
    ):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    return case_dir


def _snapshot(case_dir: Path) -> dict[str, bytes]:
    """Every file of the case with its bytes (the lock file aside: it is only ever empty)."""
    return {
        path.relative_to(case_dir).as_posix(): path.read_bytes()
        for path in sorted(case_dir.rglob("*"))
        if path.is_file() and path.name != ".lock"
    }


def _one_line(stderr: str, *parts: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert stderr.count("\n") == 1 and stderr.startswith("harassment-pack: "), stderr
    for part in parts:
        assert part in stderr, stderr


def _changes(case_dir: Path, tmp_path: Path) -> dict[str, list[str]]:
    """What each command would add: an incident (answers file), an exhibit, imported messages."""
    second = sorted((ROOT / "samples" / "jane-smith" / "evidence").glob("*.png"))[1]
    return {
        "interview --answers": _cli("interview", case_dir, "--answers", tmp_path / "more.yaml"),
        "evidence add": _cli("evidence", "add", case_dir, second),
        "import": _cli(
            "import", "whatsapp", CHAT, "--case", case_dir, "--from", "Sam Doe", "--yes"
        ),
    }


def _expected(kind: str, case_dir: Path, tmp_path: Path) -> tuple[int, int]:
    """The incidents and exhibits the command gives on an untouched copy of the case."""
    control = tmp_path / "control" / "case"
    shutil.copytree(case_dir, control)
    command = [
        str(control) if arg == str(case_dir) else arg for arg in _changes(case_dir, tmp_path)[kind]
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    case = load_case(control)
    return len(case.incidents), len(case.evidence)


def _counts(case_dir: Path) -> tuple[int, int]:
    case = load_case(case_dir)
    return len(case.incidents), len(case.evidence)


@pytest.mark.parametrize(
    ("folder", "kind"),
    [
        (".", "interview --answers"),
        ("evidence", "evidence add"),
        ("evidence", "import"),
    ],
)
def test_folder_without_write_permission(request, tmp_path, case_dir, kind, folder):
    prefix, owner = _without_root_powers()
    expected = _expected(kind, case_dir, tmp_path)
    if owner is not None:  # as nobody, in a folder it can reach (pytest's own is private)
        home = Path(tempfile.mkdtemp(prefix="harassment-pack-test-"))
        request.addfinalizer(lambda: shutil.rmtree(home, ignore_errors=True))
        home.chmod(0o755)
        shutil.copytree(case_dir, home / "case")
        shutil.copy(tmp_path / "more.yaml", home / "more.yaml")
        case_dir, tmp_path = home / "case", home
        for path in [home, *home.rglob("*")]:
            os.chown(path, owner, owner)
        if not _works([*prefix, "test", "-w", str(case_dir)]):
            pytest.skip(f"the unprivileged user {owner} cannot write in {home}")
    locked = case_dir / folder
    before = _snapshot(case_dir)
    locked.chmod(0o500)
    try:
        done = subprocess.run(
            [*prefix, *_changes(case_dir, tmp_path)[kind]],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        locked.chmod(0o700)
    assert done.returncode == 2, done.stderr
    if folder == "." or kind == "interview --answers":
        where = str(case_dir)  # the lock, or the new case file: both inside the case folder
    else:
        where = f"{locked}: cannot move a file into this folder"
    _one_line(done.stderr, where, "permission denied (check that you own it and may write there")
    assert _snapshot(case_dir) == before  # nothing half-written, nothing lost

    again = subprocess.run(
        [*prefix, *_changes(case_dir, tmp_path)[kind]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stderr  # once the folder is writable, it just works
    assert _counts(case_dir) == expected


FREE_KB = {"interview --answers": (0, 4, 16, 24), "evidence add": (8,), "import": (8, 16)}
"""Room left on the full disk: none (not even for the lock: the same for every command), a page
(the journal), then more, so the disk fills at each later step in turn: the staged copy of a
picture or chat, the progress file, case.yaml (the second incident's 12 KB summary makes the last
two take several pages)."""

_FULL_DISK = """\
set -e
mount -t tmpfs -o size=1m,mode=0700 tmpfs "$DISK"
for free in $FREE_KB; do
  rm -rf "$DISK/case" "$DISK/filler"
  cp -a "$CASE" "$DISK/case"
  head -c 4000000 /dev/zero > "$DISK/filler" 2>/dev/null || true
  truncate -s -${free}K "$DISK/filler"
  mkdir "$OUT/$free"
  set +e
  "$@" > "$OUT/$free/out" 2> "$OUT/$free/err"; echo $? > "$OUT/$free/rc"
  set -e
  cp -a "$DISK/case" "$OUT/$free/case"
  rm "$DISK/filler"
  set +e
  "$@" > "$OUT/$free/again.out" 2> "$OUT/$free/again.err"; echo $? > "$OUT/$free/again.rc"
  set -e
  cp -a "$DISK/case" "$OUT/$free/again-case"
done
"""

_READ_ONLY_DISK = """\
set -e
mount --bind "$CASE" "$CASE"
mount -o remount,bind,ro "$CASE"
set +e
"$@" > "$OUT/full.out" 2> "$OUT/full.err"; echo $? > "$OUT/full.rc"
"""


def _in_namespace(
    script: str, case_dir: Path, tmp_path: Path, command: list[str], free_kb: tuple[int, ...] = ()
) -> Path:
    """Run ``script`` with ``command`` in a fresh mount namespace; the folder of its outputs."""
    out, disk = tmp_path / "out", tmp_path / "disk"
    out.mkdir()
    disk.mkdir()
    moved = [str(disk / "case") if arg == str(case_dir) else arg for arg in command]
    env = {
        **os.environ,
        "CASE": str(case_dir),
        "DISK": str(disk),
        "OUT": str(out),
        "FREE_KB": " ".join(map(str, free_kb)),
    }
    done = subprocess.run(
        [*_mount_namespace(), "sh", "-c", script, "sh", *(moved if "DISK" in script else command)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize("kind", ["interview --answers", "evidence add", "import"])
def test_full_disk(tmp_path, case_dir, kind):
    """Whatever step the disk fills at, the command stops with one line, the case is as it was
    (an answers file's answers may already be in the progress file: case.yaml is untouched);
    once space is freed the same command works, and nothing is there twice."""
    expected = _expected(kind, case_dir, tmp_path)
    before = _snapshot(case_dir)
    command = _changes(case_dir, tmp_path)[kind]
    out = _in_namespace(_FULL_DISK, case_dir, tmp_path, command, FREE_KB[kind])
    failed = 0
    for free in FREE_KB[kind]:
        run = out / str(free)
        err = (run / "err").read_text()
        assert not list(run.rglob("*.tmp")) and not (run / "case" / STAGING_DIRNAME).exists()
        if (run / "rc").read_text().strip() != "0":
            failed += 1
            assert (run / "rc").read_text().strip() == "2", err
            _one_line(err, f"{tmp_path / 'disk' / 'case'}/", "the disk is full (free some space")
            after = _snapshot(run / "case")
            changed = {name for name in {*before, *after} if before.get(name) != after.get(name)}
            assert changed <= {PROGRESS_FILENAME}, f"{free} KB free: {changed}"
        again = (run / "again.err").read_text()
        assert (run / "again.rc").read_text().strip() == "0", again  # space freed: it works
        assert _counts(run / "again-case") == expected, f"{free} KB free"
    assert failed  # (with 4 KB pages, each level is a different step running out of room)


def test_read_only_disk(tmp_path, case_dir):
    before = _snapshot(case_dir)
    out = _in_namespace(
        _READ_ONLY_DISK, case_dir, tmp_path, _changes(case_dir, tmp_path)["interview --answers"]
    )
    err = (out / "full.err").read_text()
    assert (out / "full.rc").read_text().strip() == "2", err
    _one_line(err, str(case_dir), "the disk is read-only (copy the case to a writable folder")
    assert _snapshot(case_dir) == before
    assert (case_dir / CASE_FILENAME).is_file() and (case_dir / PROGRESS_FILENAME).is_file()
