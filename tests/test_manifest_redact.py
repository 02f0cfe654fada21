"""Issue 12, item 15: `auditor export --redact` writes a manifest without absolute paths, host
or user details, and `verify` still passes on it (the project found relative to the export
folder, or given with --project)."""
from __future__ import annotations

import getpass
import json
import os
import platform
import shutil

from auditor.cli import main
from auditor.store.connection import copy_project


def _export(project, out, capsys, *extra) -> dict:
    assert main(["export", str(project), str(out), *extra]) == 0
    capsys.readouterr()
    return json.loads((out / "manifest.json").read_text())


def test_a_plain_manifest_tells_paths_and_host(fresh_demo_project, tmp_path, capsys):
    manifest = _export(fresh_demo_project, tmp_path / "plain", capsys)
    text = json.dumps(manifest)
    assert str(fresh_demo_project) in text
    assert manifest["platform"] == platform.platform()
    assert any(os.path.isabs(f["path"]) for f in manifest["inputs"]["files"])


def test_a_redacted_manifest_tells_no_paths_host_or_user(fresh_demo_project, tmp_path, capsys):
    out = fresh_demo_project.parent / "export"
    manifest = _export(fresh_demo_project, out, capsys, "--redact")
    text = json.dumps(manifest)
    assert manifest["redacted"] is True
    assert manifest["project"] == {"name": "demo.db", "path": "../demo.db"}
    assert str(tmp_path) not in text and str(fresh_demo_project.parent) not in text
    assert "/tmp" not in text and "pytest" not in text
    assert platform.node() not in text and platform.release() not in text
    assert manifest["platform"] == platform.system()
    user = getpass.getuser()
    assert f"/{user}/" not in text and f'"{user}"' not in text
    assert all("path" not in f and "/" not in f["file_name"]
               for f in manifest["inputs"]["files"])
    # verify finds the project relative to the manifest and reproduces every hash
    assert main(["verify", str(out)]) == 0
    assert "reproduces every hash" in capsys.readouterr().out
    # both folders moved together: still found
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    shutil.move(str(out), moved / "export")
    copy_project(fresh_demo_project, moved / "demo.db")
    assert main(["verify", str(moved / "export")]) == 0


def test_a_redacted_export_far_from_its_project_names_it_and_verify_takes_project(
        fresh_demo_project, tmp_path, capsys):
    out = tmp_path / "deep" / "er" / "export"
    manifest = _export(fresh_demo_project, out, capsys, "--redact")
    assert manifest["project"] == {"name": "demo.db", "path": None}
    assert main(["verify", str(out)]) == 1
    assert "--project" in capsys.readouterr().err
    assert main(["verify", str(out), "--project", str(fresh_demo_project)]) == 0
    # a change to the project is still caught
    from auditor.audit.flags import add_flag
    from auditor.store import open_project
    conn = open_project(fresh_demo_project, create=False)
    place = conn.execute("SELECT place_id FROM places LIMIT 1").fetchone()[0]
    add_flag(conn, "ana", "place", place, "model_wrong")
    conn.close()
    capsys.readouterr()
    assert main(["verify", str(out), "--project", str(fresh_demo_project)]) == 1
    assert "flags changed" in capsys.readouterr().out
