"""The label classes, in the order every table, matrix and probability column uses. No imports:
the CLI and the GUI read it on their start path."""
CLASSES = ("home", "work", "other")  # what a place is; 'other' is implied for unlabelled places
GIVEN_LABELS = ("home", "work")      # what a given label may say
