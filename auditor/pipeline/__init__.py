"""Home/work inference: pings -> trips -> stops -> places -> features -> labels -> runs.

localtime (the one local clock), trips (split on silences / source trip ids), stops (parking
between trips), places (clusters of a vehicle's stops), features (FEATURE_COLUMNS per place),
labels (given labels -> place labels, unmatched reasons), baseline (the 02:00 rule), model
(vehicle-split gradient boosting, cross-fitted, one home / at most one work per vehicle),
metrics, evaluate (demo truth), api (derive_vehicle_tables, infer_project), command (CLI).
Trips to features never mix vehicles; only the model step sees the fleet's feature table.
"""
