"""Entry point of the frozen app: the same `auditor` command the pip install provides."""
import multiprocessing
import sys

if __name__ == "__main__":
    # Worker processes (joblib, multiprocessing) of a frozen app start this same executable;
    # freeze_support lets them run their task instead of a second copy of the app.
    multiprocessing.freeze_support()
    from auditor.cli import main

    sys.exit(main())
