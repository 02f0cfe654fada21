"""The places behind each analysis row (what the GUI's views click through), on a fleet
whose every vehicle is labelled: the skew comparison "train vs unlabelled" then has no
current places at all, and a text metadata column among its features must still work."""
import foreign_fleet as ff
import pandas as pd

from auditor.analysis.results import compute_analysis
from auditor.ingest.api import ingest_paths
from auditor.pipeline.api import infer_project


def test_analysis_places_with_every_vehicle_labelled_and_text_metadata(tmp_path):
    vehicles = ff.commuters(24)
    pings = ff.fleet(vehicles, 8)
    out = pings.rename(columns={"ts": "timestamp"})
    out["timestamp"] = ff.iso_z(pings["ts"])
    out.to_csv(tmp_path / "pings.csv", index=False)
    ff.labels_for(vehicles).to_csv(tmp_path / "labels.csv", index=False)
    pd.DataFrame({"vehicle_id": [v.vehicle_id for v in vehicles],
                  "region": ["north" if i % 4 == 1 else "south" for i in range(24)]}
                 ).to_csv(tmp_path / "vehicles.csv", index=False)
    project = tmp_path / "p.db"
    for name in ("vehicles", "pings", "labels"):
        ingest_paths(project, [tmp_path / f"{name}.csv"], kind=name)
    infer_project(project, seed=0)
    analysis = compute_analysis(project)
    skew = analysis.report["skew"]["comparisons"]
    assert skew["unlabelled"]["n_current_places"] == 0
    assert any(r["feature"] == "region" for r in skew["unlabelled"]["features"])
    rows = analysis.places["skew"]
    assert rows[("feature", "unlabelled", "region")] == []
    assert all(isinstance(ids, list) for ids in rows.values())
