"""Run chapters on a few kernels, in the order asked, and let a build wait for only some of them.

``mkdocs build`` submits every chapter to run, waits for all and closes the kernels. ``mkdocs
serve`` keeps the kernels (torch imported) for the life of the server, puts the chapters the
learner has open first, waits for those only (for a while), and lets the rest finish in the
background: ``on_done`` hears of every run no build waited for, and asks the server for
another build, which shows it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path

from .execute import Kernel

Job = tuple[Hashable, Path]  # (code key, the first page with that code)


class Runner:
    """``jobs`` worker threads, each with a kernel of its own, taking jobs from one queue.

    ``run(path, kernel)`` runs a page and stores what it gives; an exception it raises stops
    the runner (no new job starts) and is raised again by `wait`.
    """

    def __init__(
        self,
        jobs: int,
        make_kernel: Callable[[], Kernel],
        run: Callable[[Path, Kernel], object],
        on_done: Callable[[Hashable, bool], None] = lambda key, idle: None,
        warm: bool = False,
    ) -> None:
        """``on_done(key, idle)``: a job no `wait` was waiting for is done; ``idle``: no job is
        left. ``warm``: each thread starts its kernel now, not with its first job (under
        ``mkdocs serve`` the first package edit then finds kernels ready: 3.5 s sooner)."""
        self._make_kernel, self._run, self._on_done = make_kernel, run, on_done
        self._warm = warm
        self._cond = threading.Condition()
        self._queue: list[Job] = []
        self._running: dict[Hashable, Path] = {}
        self._error: BaseException | None = None
        self._closed = False
        self._waited: set[Hashable] = set()
        self._threads = [
            threading.Thread(target=self._work, name=f"notebook-{n}", daemon=True)
            for n in range(max(1, jobs))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, jobs: Iterable[Job]) -> None:
        """Make ``jobs``, in this order, the queue (jobs already running are not run again)."""
        with self._cond:
            self._queue = [job for job in jobs if job[0] not in self._running]
            self._cond.notify_all()

    def pending(self, key: Hashable | None) -> bool:
        """Whether ``key`` (None: any job) is queued or running."""
        with self._cond:
            if key is None:
                return bool(self._queue or self._running)
            return key in self._running or any(k == key for k, _ in self._queue)

    def running(self) -> list[Path]:
        """The pages running now."""
        with self._cond:
            return list(self._running.values())

    def wait(self, keys: Iterable[Hashable] | None = None, timeout: float | None = None) -> bool:
        """Until none of ``keys`` (None: no job at all) is queued or running, or ``timeout``
        seconds; whether they are done. Raises the error of a failed job."""
        keys = None if keys is None else set(keys)

        def done() -> bool:
            if self._error is not None:
                return True
            left = {k for k, _ in self._queue} | set(self._running)
            return not (left if keys is None else left & keys)

        with self._cond:
            self._waited |= keys if keys is not None else set()
            try:
                finished = self._cond.wait_for(done, timeout)
            finally:
                self._waited -= keys if keys is not None else set()
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            return finished

    def close(self) -> None:
        """Stop after the jobs running now; shut the kernels down."""
        with self._cond:
            self._closed = True
            self._queue.clear()
            self._cond.notify_all()
        for thread in self._threads:
            thread.join()

    def _work(self) -> None:
        with contextlib.ExitStack() as stack:
            kernel: Kernel | None = None
            if self._warm:
                try:
                    kernel = stack.enter_context(self._make_kernel())
                except Exception:  # the first job starts one again and reports its error
                    kernel = None
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._closed or self._queue)
                    if self._closed:
                        return
                    key, path = self._queue.pop(0)
                    self._running[key] = path
                try:
                    if kernel is None or not kernel.alive:
                        stack.close()
                        kernel = stack.enter_context(self._make_kernel())
                    self._run(path, kernel)
                except BaseException as err:  # raised again by `wait`
                    with self._cond:
                        self._error = self._error or err
                        self._queue.clear()  # the build fails: no new chapter starts
                finally:
                    with self._cond:
                        del self._running[key]
                        unseen = key not in self._waited and not self._closed
                        idle = not self._queue and not self._running
                        self._cond.notify_all()
                    if unseen:
                        self._on_done(key, idle)
