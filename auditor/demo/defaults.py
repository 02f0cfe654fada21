"""The default demo fleet (`auditor demo`, `auditor demo-data`, the welcome screen's demo): one
place for its size and seed. No imports, so the CLI's parser reads it for free."""
VEHICLES = 200
DAYS = 28
SEED = 7
