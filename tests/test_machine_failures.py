"""Issue 12, item 6: expected failures of the machine are not bugs.

A full disk, a read-only folder or file, a damaged database and file names that are not UTF-8
each give one `error:` line naming the file and the fix, exit 1, and change nothing;
read-only commands (report, flags, map, export, verify) still work on a read-only project.

Root ignores permission bits, so read-only is made the way root must respect it: a private
mount namespace (`unshare -m`) in which the project's folder is bind-mounted read-only, and
`chattr +i` (immutable) for a read-only file in a writable folder. A full disk is a small
tmpfs in such a namespace, filled up. The mounts exist only inside the namespace and vanish
with it."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditor.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from test_lost_writes import build_project  # noqa: E402  (a tiny project with six places)

# Runs inside the namespace: mounts, then each command as its own `auditor` process; prints
# one JSON object per command. Each process is forked from this driver after it imported the
# commands' packages once, and runs what `python -m auditor` runs (SystemExit(main(argv))), instead
# of starting a new interpreter that imports pandas and scikit-learn again for every command:
# still one process per command (its own file descriptors, locks and exit status), ~2 s less.
DRIVER = textwrap.dedent("""
    import importlib, json, os, pkgutil, subprocess, sys, tempfile, traceback
    setup, commands = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    from auditor.cli import HANDLERS, main
    for name in {argv[0] for argv in commands} & set(HANDLERS):  # and what they import lazily
        package = importlib.import_module(HANDLERS[name].rsplit(".", 1)[0])
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)

    def run(argv):
        out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        pid = os.fork()
        if pid == 0:  # the child: argv as `auditor` would run it, stdout/stderr to the files
            code = 1
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        texts = []
        for f in (out, err):
            f.seek(0)
            texts.append(f.read().decode("utf-8", "replace"))
            f.close()
        return os.waitstatus_to_exitcode(status), texts[0], texts[1]

    for step in setup:
        subprocess.run(step, check=True)
    for argv in commands:
        if argv[0] == "@sha256":
            import hashlib
            data = open(argv[1], "rb").read()
            print(json.dumps({"sha256": hashlib.sha256(data).hexdigest()}), flush=True)
            continue
        if argv[0] == "@rm":
            os.unlink(argv[1])
            print(json.dumps({"removed": argv[1]}), flush=True)
            continue
        if argv[0] == "@ls":
            print(json.dumps({"ls": sorted(os.listdir(argv[1]))}), flush=True)
            continue
        if argv[0] == "@check":
            import sqlite3
            c = sqlite3.connect(argv[1])
            print(json.dumps({"integrity": c.execute("PRAGMA integrity_check").fetchone()[0],
                              "events": c.execute("SELECT COUNT(*) FROM flag_events")
                              .fetchone()[0]}), flush=True)
            c.close()
            continue
        rc, out, err = run(argv)
        print(json.dumps({"argv": argv, "rc": rc, "err": err, "out": out}), flush=True)
""")


def in_namespace(setup: list[list[str]], commands: list[list[str]]) -> list[dict]:
    unshare = shutil.which("unshare")
    assert unshare, "unshare (util-linux) is needed for these tests"
    r = subprocess.run([unshare, "--mount", "--propagation", "private", sys.executable, "-c",
                        DRIVER, json.dumps(setup), json.dumps(commands)],
                       capture_output=True, text=True, timeout=600,
                       env={**os.environ, "AUDITOR_DEBUG": ""})
    assert r.returncode == 0, f"namespace driver failed (root and unshare -m needed): {r.stderr}"
    return [json.loads(line) for line in r.stdout.splitlines()]


def one_error_line(result: dict) -> str:
    assert result["rc"] == 1, result
    lines = result["err"].strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result
    assert "internal error" not in lines[0]
    return lines[0]


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def colleague_csv(tmp_path) -> Path:
    """A flag CSV whose import needs room: 300 events with long notes."""
    rows = ["event_id,analyst,created_at,target_kind,target_id,action,note"]
    rows += [f"{i},bob,2026-01-01T00:{i // 60:02d}:{i % 60:02d}+00:00,place,v1:0,model_wrong,"
             + "n" * 2000 for i in range(1, 301)]
    path = tmp_path / "colleague.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_full_disk_under_the_project_is_one_line_and_changes_nothing(tmp_path, colleague_csv):
    disk = tmp_path / "disk"
    disk.mkdir()
    seed = tmp_path / "seed.db"
    build_project(seed)
    project = disk / "p.db"
    # mount a 4 MiB tmpfs, put the project on it, fill all but ~200 KiB
    setup = [["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
             ["cp", str(seed), str(project)],
             ["sh", "-c", f"dd if=/dev/zero of={disk}/filler bs=4k count="
              f"$(( $(df -k --output=avail {disk} | tail -1) / 4 - 50 )) 2>/dev/null"]]
    results = in_namespace(setup, [
        ["flags", str(project), "--import", str(colleague_csv)],
        ["@rm", str(disk / "filler")],
        ["@check", str(project)],
        ["flags", str(project), "--import", str(colleague_csv)],   # with room: it works
        ["@check", str(project)],
    ])
    line = one_error_line(results[0])
    assert str(project) in line and "disk is full" in line and "free some space" in line
    assert results[2] == {"integrity": "ok", "events": 0}
    assert results[3]["rc"] == 0 and results[4] == {"integrity": "ok", "events": 300}


def test_a_full_disk_under_an_output_is_one_line_and_leaves_nothing(fresh_tiny_project,
                                                                      tmp_path):
    # the small shared project: the disk is full to the last page, so any output fails; the
    # size of the fleet only made each of the five `auditor` processes slower
    disk = tmp_path / "disk"
    disk.mkdir()
    p = str(fresh_tiny_project)
    setup = [["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
             ["sh", "-c", f"dd if=/dev/zero of={disk}/filler bs=4k 2>/dev/null; true"]]
    results = in_namespace(setup, [
        ["report", p, "--predictions", f"{disk}/preds.csv"],
        ["flags", p, "--export", f"{disk}/flags.csv"],
        ["map", p, "--vehicle", "V00001", "--out", f"{disk}/map.html"],
        ["export", p, f"{disk}/out"],
        ["demo-data", f"{disk}/demo", "--vehicles", "3", "--days", "1"],
        ["@ls", str(disk)],
    ])
    for result, name in zip(results, ["preds.csv", "flags.csv", "map.html", "out", "demo"]):
        line = one_error_line(result)
        assert "disk is full" in line and f"{disk}/{name}" in line, line
    assert results[-1] == {"ls": ["filler"]}     # no temp file, no half-made folder


def test_read_only_project_folder(fresh_tiny_project, tmp_path, colleague_csv):
    """The project's folder is a read-only mount: readers work, writers say read-only.
    On the small shared project: read-only-ness does not depend on the fleet's size."""
    folder = fresh_tiny_project.parent
    out = tmp_path.parent / (tmp_path.name + "-out")   # outside the read-only folder
    out.mkdir()
    p = str(fresh_tiny_project)
    before = digest(fresh_tiny_project)
    setup = [["mount", "--bind", str(folder), str(folder)],
             ["mount", "-o", "remount,bind,ro", str(folder)]]
    results = in_namespace(setup, [
        ["report", p, "--predictions", f"{out}/preds.csv"],
        ["flags", p],
        ["flags", p, "--export", f"{out}/flags.csv"],
        ["map", p, "--vehicle", "V00001", "--out", f"{out}/map.html"],
        ["export", p, f"{out}/export"],
        ["verify", f"{out}/export"],
        ["flags", p, "--import", str(colleague_csv)],
        ["infer", p],
        ["@ls", str(folder)],
    ])
    for r in results[:6]:
        assert r["rc"] == 0, r
    assert "OK" in results[5]["out"]
    for r in results[6:8]:
        line = one_error_line(r)
        assert "read-only" in line and p in line and "nothing was changed" in line
    assert results[8] == {"ls": sorted(x.name for x in folder.iterdir())}  # no -wal/-shm made
    assert digest(fresh_tiny_project) == before
    assert (out / "preds.csv").is_file() and (out / "map.html").is_file()


def test_immutable_project_file(fresh_tiny_project, tmp_path, colleague_csv, capsys):
    """chattr +i: root cannot write the file either; its folder stays writable. Any inferred
    project will do: the small shared one."""
    chattr = shutil.which("chattr")
    assert chattr, "chattr (e2fsprogs) is needed for this test"
    p = str(fresh_tiny_project)
    before = digest(fresh_tiny_project)
    subprocess.run([chattr, "+i", p], check=True)
    try:
        assert main(["report", p, "--predictions", str(tmp_path / "preds.csv")]) == 0
        assert main(["flags", p]) == 0
        capsys.readouterr()
        assert main(["flags", p, "--import", str(colleague_csv)]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "read-only" in err[0] and p in err[0]
    finally:
        subprocess.run([chattr, "-i", p], check=True)
    assert digest(fresh_tiny_project) == before


@pytest.mark.parametrize("damage", ["pages", "truncated"])
def test_a_damaged_project_is_one_line_naming_the_fix(fresh_demo_project, tmp_path, capsys,
                                                      damage):
    data = bytearray(fresh_demo_project.read_bytes())
    if damage == "pages":  # garbage over every page but the first (the schema): disk error
        page = int.from_bytes(data[16:18], "big")
        data[page:] = __import__("random").Random(5).randbytes(len(data) - page)
    else:  # a copy that stopped half way
        data = data[:len(data) // 2]
    bad = tmp_path / "bad.db"
    bad.write_bytes(bytes(data))
    for argv in (["report", str(bad)], ["export", str(bad), str(tmp_path / "out")]):
        assert main(argv) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "damaged" in err[0] and str(bad) in err[0], err
        assert ".recover" in err[0]


def test_file_names_that_are_not_utf8_or_hold_uri_characters(tiny_project, tmp_path, capsys,
                                                              monkeypatch):
    """A project whose name has a byte that is not UTF-8 and ?, # and %: created, read and
    written as that very file (Path.as_uri() in every SQLite URI), and named in messages with
    the odd byte as \\xff. The small shared fleet's files: the name is the point, not the size."""
    from auditor.demo.project import demo_data_dir
    from auditor.ingest.api import ingest_paths
    demo_dir = demo_data_dir(tiny_project)
    monkeypatch.chdir(tmp_path)
    name = os.fsdecode(b"p\xff ?#%20.db")       # what Python makes of such an argv
    ingest_paths(name, [demo_dir / "vehicles.csv", demo_dir / "pings.csv",
                        demo_dir / "labels.csv"])
    assert main(["infer", name]) == 0
    assert main(["report", name, "--predictions", os.fsdecode(b"preds\xff.csv")]) == 0
    assert main(["flags", name]) == 0
    assert main(["map", name, "--vehicle", "V00001", "--out", "m.html"]) == 0
    assert sorted(os.listdir(b".")) == sorted([b"m.html", b"p\xff ?#%20.db", b"preds\xff.csv"])
    out = capsys.readouterr().out
    assert "preds\\xff.csv" in out                 # printed, not a UnicodeEncodeError
    assert main(["map", name, "--vehicle", "nope", "--out", "m.html"]) == 1
    assert main(["report", os.fsdecode(b"missing\xfe.db")]) == 1
    err = capsys.readouterr().err
    assert "missing\\xfe.db" in err and "internal error" not in err


def test_an_input_file_name_that_is_not_utf8_is_one_line(demo_dir, tmp_path, capsys):
    odd = tmp_path / os.fsdecode(b"vehicles\xff.csv")
    shutil.copyfile(demo_dir / "vehicles.csv", odd)
    assert main(["ingest", str(tmp_path / "p.db"), str(odd)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "vehicles\\xff.csv" in err[0] and "not valid UTF-8" in err[0]
    assert "rename" in err[0]
    assert not (tmp_path / "p.db").exists()
