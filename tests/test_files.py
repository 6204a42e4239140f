"""Private folders and atomic writes: the two ways harassment-pack puts anything on disk."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from harassment_pack.files import make_private_dir, write_private, write_scratch


def test_private_dir_is_0700_and_safe_when_threads_race_to_make_it(tmp_path):
    target = tmp_path / "out" / ".ocr-cache"
    for attempt in range(20):
        folder = target / str(attempt)
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(make_private_dir, [folder] * 8))
        assert folder.stat().st_mode & 0o777 == 0o700


def test_an_existing_folder_keeps_its_permissions(tmp_path):
    os.chmod(tmp_path, 0o755)
    make_private_dir(tmp_path)
    assert tmp_path.stat().st_mode & 0o777 == 0o755


def test_write_private_replaces_whole_files_readable_only_by_the_owner(tmp_path):
    path = tmp_path / "new" / "case.yaml"
    write_private(path, b"first")
    write_private(path, b"second")
    assert path.read_bytes() == b"second"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["case.yaml"]  # no temp files left


def test_scratch_files_are_private_and_never_overwrite_another(tmp_path):
    path = tmp_path / "0.bin"
    write_scratch(path, b"picture data")
    assert path.read_bytes() == b"picture data"
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        write_scratch(path, b"another picture")
    assert path.read_bytes() == b"picture data"
