"""Issue 12, item 5: atomic writes create their temporary file exclusively, under a name
nobody can guess, in the target's folder; fsync the file; rename; fsync the folder."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from auditor import atomic
from auditor.atomic import atomic_path, write_bytes_atomic, write_text_atomic


def test_a_planted_symlink_at_a_guessable_temp_name_is_never_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "out.csv"
    # every name an attacker could predict from the target and our pid
    for name in (f".out.csv.tmp-{os.getpid()}", "out.csv.tmp", ".out.csv.tmp", "out.csv.partial"):
        (tmp_path / name).symlink_to(victim)
    write_text_atomic(target, "a,b\n")
    assert victim.read_text() == "precious"
    assert target.read_text() == "a,b\n" and not target.is_symlink()


def test_temp_files_are_created_exclusively_with_unpredictable_names(tmp_path, monkeypatch):
    seen = []
    real_mkstemp = atomic.tempfile.mkstemp

    def spy(*args, **kwargs):
        fd, name = real_mkstemp(*args, **kwargs)
        seen.append(name)
        return fd, name

    monkeypatch.setattr(atomic.tempfile, "mkstemp", spy)
    write_text_atomic(tmp_path / "a.csv", "1")
    write_text_atomic(tmp_path / "a.csv", "2")
    with atomic_path(tmp_path / "b.parquet") as tmp:
        assert tmp.parent == tmp_path and tmp.exists()  # made, empty, in the target folder
        tmp.write_bytes(b"x")
    assert len(seen) == 3 and len(set(seen)) == 3
    assert all(Path(n).parent == tmp_path for n in seen)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.parquet"]


def test_the_file_and_then_the_folder_are_fsynced(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def spy(fd):
        st = os.fstat(fd)
        synced.append("dir" if stat.S_ISDIR(st.st_mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", spy)
    write_bytes_atomic(tmp_path / "m.json", b"{}")
    assert synced == ["file", "dir"]
    synced.clear()
    with atomic_path(tmp_path / "t.csv") as tmp:
        tmp.write_text("x")
    assert synced == ["file", "dir"]


def test_a_failed_write_leaves_the_target_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("old")

    def fail(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError):
        write_text_atomic(target, "new")
    with pytest.raises(OSError):
        with atomic_path(target) as tmp:
            tmp.write_text("new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_permissions_follow_the_umask_like_open(tmp_path):
    old = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "a.csv", "x")
        with atomic_path(tmp_path / "b.csv") as tmp:
            tmp.write_text("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.csv").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "b.csv").stat().st_mode) == 0o640


def test_the_export_writes_its_data_file_through_the_atomic_writer(demo_project, tmp_path):
    """The training-set file is written by pyarrow to a file name: that name comes from
    auditor.atomic too (a symlink planted at the old fixed temp name stays untouched)."""
    from auditor.export.api import export_training_set
    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = tmp_path / "out"
    export_training_set(demo_project, out)
    (out / f".training_set.csv.tmp-{os.getpid()}").symlink_to(victim)
    export_training_set(demo_project, out)
    assert victim.read_text() == "precious"
    assert not (out / "training_set.csv").is_symlink()
