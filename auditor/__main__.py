from auditor.cli import main

# guarded: Dask's worker processes are spawned and import this module again as __mp_main__
if __name__ == "__main__":
    raise SystemExit(main())
