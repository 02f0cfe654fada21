"""One Qt view per registered analysis (auditor.analysis.registry), in the Analysis dock."""
