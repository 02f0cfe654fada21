"""One module per registered analysis (auditor.analysis.registry): what it computes into the
report, how it reads as text, which places a row or node of it means, and its Qt view."""
