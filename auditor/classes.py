"""The label classes, in the order every table, matrix and probability column uses. No imports:
the CLI and the GUI read it on their start path."""
CLASSES = ("home", "work", "other")  # what a place is; 'other' is implied for unlabelled places
GIVEN_LABELS = ("home", "work")      # what a given label may say
# how each class looks in every view (map fill and ring, timeline cell, feature-space point):
# colour-blind-safe (Okabe-Ito blue and orange, a neutral grey)
LABEL_COLOURS = {"home": "#0072b2", "work": "#e69f00", "other": "#9a9a9a"}
