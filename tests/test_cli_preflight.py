"""The user's mistakes the command line sees before importing anything heavy: a mistyped
project or export folder, and a window asked for where there is no screen (Qt would abort the
whole process with a core dump). Each gets one line and exit 1, fast."""
import subprocess
import sys

import pytest

PROBE = """
import sys
from auditor.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("pandas", "sklearn", "PySide6", "numpy") if m in sys.modules)
print("imported:", ",".join(heavy))
raise SystemExit(code)
"""


def run_cli(args, env=None):
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.mark.parametrize("args", [
    ["infer", "{missing}"], ["export", "{missing}", "{tmp}/out"], ["report", "{missing}"],
    ["runs", "{missing}"], ["map", "{missing}", "--vehicle", "V1", "--out", "{tmp}/m.html"],
    ["open", "{missing}"],
])
def test_a_mistyped_project_is_one_line_before_any_heavy_import(tmp_path, args):
    args = [a.format(missing=tmp_path / "projcet.db", tmp=tmp_path) for a in args]
    got = run_cli(args)
    assert got.returncode == 1
    assert got.stderr.splitlines() == [
        f"error: {tmp_path / 'projcet.db'}: no such project; create one with "
        f"'auditor ingest {tmp_path / 'projcet.db'} FILE'"]
    assert got.stdout.strip() == "imported:"  # nothing of pandas, scikit-learn or Qt
    assert not (tmp_path / "projcet.db").exists()  # and nothing was created


def test_verify_of_a_folder_without_a_manifest_is_one_line(tmp_path):
    (tmp_path / "out").mkdir()
    got = run_cli(["verify", str(tmp_path / "out")])
    assert got.returncode == 1
    assert got.stderr.splitlines() == [f"error: {tmp_path / 'out'}: no auditor manifest.json "
                                       "here — give the folder an 'auditor export' wrote"]
    assert got.stdout.strip() == "imported:"


@pytest.mark.parametrize("args", [["open", "{project}"], ["demo", "--out", "{project}"], []])
def test_a_window_without_a_screen_is_refused_with_one_line(tmp_path, args):
    """Before: Qt printed 'could not connect to display' and aborted (signal 6, a core dump);
    `auditor demo` built the whole demo first."""
    project = tmp_path / "p.db"
    project.write_bytes(b"")  # exists: the screen is what is missing
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    got = run_cli([a.format(project=project) for a in args], env=env)
    assert got.returncode == 1
    assert len(got.stderr.splitlines()) == 1 and got.stderr.startswith("error: no screen")
    assert "PySide6" not in got.stdout
    assert project.read_bytes() == b""  # the demo was not built into it


def test_a_screenshot_needs_no_screen(tmp_path):
    """--screenshot renders offscreen: the screen check lets it through to the window's own
    checks (here: the project is an empty file)."""
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    project = tmp_path / "p.db"
    project.write_bytes(b"")
    got = run_cli(["open", str(project), "--screenshot", str(tmp_path / "s.png")], env=env)
    assert got.returncode == 1
    assert "no screen" not in got.stderr and "is an empty file" in got.stderr
