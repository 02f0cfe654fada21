"""Overlap reading with writing: the next chunk is read and parsed on a helper thread while
the caller stores the current one (arrow and pandas release the GIL for most of that work)."""
from __future__ import annotations

import queue
import threading
from typing import Iterator


def prefetch(items: Iterator, depth: int = 1) -> Iterator:
    """Yield ``items`` in order, computing the next ones (up to ``depth``) on one helper thread.
    Exceptions raised by ``items`` reach the caller at the same point in the sequence."""
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("end", None))
        except BaseException as exc:  # handed to the consumer, raised there
            put(("error", exc))

    worker = threading.Thread(target=produce, name="ingest-reader", daemon=True)
    worker.start()
    try:
        while True:
            kind, item = slots.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()  # an abandoned import: the helper ends after its current block
