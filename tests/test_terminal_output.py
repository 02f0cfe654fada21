"""Issue 12, item 12 (CLI part): no control character from data reaches the terminal.

Vehicle ids, metadata, analyst names, notes and file names are untrusted: an ESC sequence
could clear the screen, recolour it or set the window title; a CR or a bidi override could
make a line read as something else. Every CLI output path goes through one helper
(auditor.terminal.printable): such characters become visible escapes. JSON output keeps its
meaning (the escapes are JSON escapes)."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from auditor.audit.flags import add_flag
from auditor.cli import main
from auditor.store import open_project, transaction
from auditor.terminal import printable

ESC_CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("text,shown", [
    ("plain text\twith tab\n", "plain text\twith tab\n"),
    ("red \x1b[31mALERT", "red \\u001b[31mALERT"),
    ("over\rwrite", "over\\u000dwrite"),
    ("csi \x9b31m", "csi \\u009b31m"),
    ("bidi \u202eevil", "bidi \\u202eevil"),
    ("bad byte \udcff", "bad byte \\xff"),
])
def test_printable(text, shown):
    assert printable(text) == shown


def _evil_project(path):
    from test_lost_writes import build_project
    build_project(path)
    conn = open_project(path)
    with transaction(conn):
        conn.execute("UPDATE vehicles SET meta = ? WHERE vehicle_id = 'v1'",
                     (json.dumps({"fleet": f"a{ESC_CLEAR}b"}),))
    add_flag(conn, f"ana{TITLE}", "place", "v1:0", "model_wrong", note=f"see{ESC_CLEAR}\u202eno")
    conn.close()


def test_flag_listing_and_json_carry_no_control_characters(tmp_path, capsys):
    project = tmp_path / "p.db"
    _evil_project(project)
    assert main(["flags", str(project)]) == 0
    out = capsys.readouterr().out
    assert not RAW.search(out) and "\\u001b[2J" in out and "ana\\u001b]0;pwned" in out
    assert main(["flags", str(project), "--json"]) == 0
    out = capsys.readouterr().out
    assert not RAW.search(out)
    event = json.loads(out)["events"][0]           # the escapes are JSON: the data is intact
    assert event["note"] == f"see{ESC_CLEAR}\u202eno" and event["analyst"] == f"ana{TITLE}"


def test_errors_naming_data_carry_no_control_characters(tmp_path, capsys):
    project = tmp_path / "p.db"
    _evil_project(project)
    assert main(["map", str(project), "--vehicle", f"x{ESC_CLEAR}", "--out",
                 str(tmp_path / "m.html")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and not RAW.search(err) and "[2J" in err
    assert main(["report", str(tmp_path / f"no{TITLE}such.db")]) == 1
    err = capsys.readouterr().err
    assert not RAW.search(err) and "\\u001b]0;pwned\\u0007" in err


def test_a_real_cli_process_prints_no_escape_bytes(tmp_path):
    project = tmp_path / "p.db"
    _evil_project(project)
    r = subprocess.run([sys.executable, "-m", "auditor", "flags", str(project)],
                       capture_output=True, timeout=120)
    assert r.returncode == 0
    assert b"\x1b" not in r.stdout and b"\x07" not in r.stdout and b"\r" not in r.stdout
    assert "\u202e".encode() not in r.stdout
