"""Numbers in the details pane and the analysis tables read as numbers: a year of a vehicle's
hours at home showed '2.19e+03' (three significant digits of 2,190)."""
import pytest

from auditor.gui.analyses.common import fmt
from auditor.gui.views.details import _feature_text


@pytest.mark.parametrize("value, text", [
    (2190.4, "2,190"), (-1500.0, "-1,500"), (999.6, "1,000"), (999.4, "999"), (123456.0, "123,456"),
    (12.345, "12.3"), (0.000123, "0.000123"), (0.5, "0.5"),
])
def test_no_scientific_notation_for_everyday_numbers(value, text):
    assert fmt(value) == text
    assert _feature_text("total_dwell_h", value) == text
    assert "e+" not in fmt(value)


def test_coordinates_keep_five_decimals():
    assert _feature_text("lon", -179.96912) == "-179.96912"
