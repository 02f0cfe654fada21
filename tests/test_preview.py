"""The import wizard's preview (auditor.ingest.preview) when the first lines are no rows."""
import pytest

from auditor.errors import UserError
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


def test_a_file_with_no_readable_row_is_one_line_naming_the_first_bad_line(tmp_path):
    with pytest.raises(UserError) as err:
        read_preview(_csv(tmp_path / "pings.csv", bad=50, good=0))
    text = str(err.value)
    assert "pings.csv" in text and "line 2" in text and "delimiter" in text
    assert "\n" not in text
