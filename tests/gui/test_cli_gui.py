"""The GUI's command-line entry points, run as the outside checks run them (subprocesses)."""
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtGui import QImage

pytestmark = pytest.mark.slow  # each starts a Python, Qt and Chromium of its own


def _auditor(*args, timeout=180):
    return subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True,
                          text=True, timeout=timeout)


def _pixels(path):
    img = QImage(str(path))
    assert not img.isNull()
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    ptr = img.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return arr[:, :img.width(), :3]


def test_open_screenshot_writes_the_window_with_the_map(fresh_tiny_project, tmp_path):
    # the small shared project: the screenshot waits for its analysis, which the size only slows
    out = tmp_path / "shot.png"
    result = _auditor("open", str(fresh_tiny_project), "--screenshot", str(out),
                      "--vehicle", "V00002", "--size", "1280x800")
    assert result.returncode == 0, result.stderr[-2000:]
    px = _pixels(out)
    assert px.shape[:2] == (800, 1280)  # --size, not the default 1400 x 900
    # the centre column (the map) is drawn: many colours, not a blank or grey square
    h, w = px.shape[:2]
    centre = px[h // 10: h // 2, int(w * 0.35): int(w * 0.7)]
    assert centre.std() > 10
    assert len(np.unique(centre.reshape(-1, 3), axis=0)) > 50


def test_open_screenshot_of_a_missing_project_is_one_error_line(tmp_path):
    result = _auditor("open", str(tmp_path / "nope.db"), "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 1
    lines = [s for s in result.stderr.splitlines() if s.startswith("error:")]
    assert len(lines) == 1 and "nope.db" in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "nope.db").exists() and not (tmp_path / "x.png").exists()


def test_a_wrong_size_is_one_error_line_before_any_window(tmp_path):
    (tmp_path / "p.db").write_bytes(b"")  # there: the size is the one mistake
    result = _auditor("open", str(tmp_path / "p.db"), "--size", "big")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: --size big: write it as")


def test_smoke_test_builds_window_and_map():
    result = _auditor("--smoke-test")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "smoke test ok" in result.stdout
