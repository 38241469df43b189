"""Worker processes: the one copy of process-pool setup.

Large repositories are loaded and resolved in forked worker processes. What every chunk needs
(the repository root and limits, the loaded index) reaches the workers through ``fork``
(copy-on-write memory, never pickled); only the chunks and their results are pickled. Where
the platform cannot fork, or the work is small, everything runs in this process: the results
are the same either way.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar, cast

import msgspec

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

# Set only inside a worker process, by the pool's initializer, to what its parent handed
# over through fork; never written in the parent process. The one module-level slot of rspp
# (ADR 0006): a forked worker has no other place to find it.
_IN_WORKER: dict[str, object] = {}


def default_jobs() -> int:
    """Worker processes to use when the user did not say: one per core, at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


def can_fork() -> bool:
    import multiprocessing as mp  # imported here: a pre-commit run never needs it

    return "fork" in mp.get_all_start_methods()


def _install(work: object, shared: object) -> None:
    _IN_WORKER["work"], _IN_WORKER["shared"] = work, shared


def _run(chunk: Sequence[object]) -> tuple[int, list[object]]:
    work = _IN_WORKER["work"]
    assert callable(work)
    return os.getpid(), work(_IN_WORKER["shared"], chunk)


class ChunkMap(msgspec.Struct, Generic[S, T, R]):
    """``work(shared, chunk) -> results`` over chunks of a sequence, results in input order.

    ``jobs``: worker processes (``<= 1``: this process); ``min_items``: below this many items
    everything runs in this process (starting workers costs more than it saves);
    ``min_chunk``: the smallest chunk sent to a worker. After a run, ``workers`` holds the
    process ids that did a chunk (empty when everything ran in this process).
    """

    work: Callable[[S, Sequence[T]], list[R]]
    shared: S
    jobs: int
    min_items: int
    min_chunk: int = 16
    workers: set[int] = msgspec.field(default_factory=set)

    def run(self, items: Sequence[T]) -> Iterator[R]:
        if self.jobs <= 1 or len(items) < self.min_items or not can_fork():
            yield from self.work(self.shared, items)
            return
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        size = max(self.min_chunk, len(items) // (self.jobs * 8))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        with ProcessPoolExecutor(max_workers=self.jobs, mp_context=mp.get_context("fork"),
                                 initializer=_install, initargs=(self.work, self.shared)) as pool:
            for pid, batch in pool.map(_run, chunks):
                self.workers.add(pid)
                yield from cast("list[R]", batch)
