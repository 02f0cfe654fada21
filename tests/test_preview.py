"""The import wizard's preview (auditor.ingest.preview) when the first lines are no rows."""
from auditor.ingest.preview import PREVIEW_ROWS, read_preview


def _csv(path, bad: int, good: int):
    lines = ["vehicle_id,ts,lat,lon"]
    lines += [f"v{i},2026-01-01T00:00:{i % 60:02d}Z,52.5,13.4,extra,fields" for i in range(bad)]
    lines += [f"g{i},2026-01-01T01:00:{i % 60:02d}Z,48.1,11.5" for i in range(good)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_malformed_first_lines_do_not_hide_the_rows_after_them(tmp_path):
    p = read_preview(_csv(tmp_path / "pings.csv", bad=PREVIEW_ROWS + 5, good=30))
    assert list(p.frame.columns) == ["vehicle_id", "ts", "lat", "lon"]
    assert len(p.frame) == PREVIEW_ROWS
    assert p.frame["vehicle_id"].tolist() == [f"g{i}" for i in range(PREVIEW_ROWS)]


def test_a_file_with_no_readable_row_says_so_and_stays_importable(tmp_path):
    """The import quarantines every such line (tests/test_ingest_reader_oracle.py): the
    preview shows no rows and says why, naming the first bad line and the fix."""
    p = read_preview(_csv(tmp_path / "pings.csv", bad=50, good=0))
    assert p.frame.empty and list(p.frame.columns) == ["vehicle_id", "ts", "lat", "lon"]
    assert "None of the 50 lines" in p.note and "line 2: malformed row" in p.note
    assert "delimiter" in p.note
    good = read_preview(_csv(tmp_path / "good.csv", bad=0, good=5))
    assert good.note is None and len(good.frame) == 5
