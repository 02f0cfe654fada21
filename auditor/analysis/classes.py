"""The label classes, in the order every table and matrix uses (pandas-free: the GUI imports
it on its start path)."""
CLASSES = ("home", "work", "other")
