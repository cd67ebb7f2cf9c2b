"""Run core operations off the GUI thread, with progress and cancel.

One background executor for everything that touches the store (SQLite has
one writer; one queue keeps the order of operations the order the user made
them), as Anki does.  Results and errors come back to the GUI thread through
Qt signals.  A core function opts in to progress and cancel by accepting
``progress`` / ``cancelled`` keyword arguments.
"""

from __future__ import annotations

import inspect
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a job when the user cancelled it."""


class Job(QObject):
    """One piece of background work and its signals."""

    sig_finished = Signal(object)
    """The job returned this result."""
    sig_failed = Signal(object)
    """The job raised this exception."""
    sig_progress = Signal(int, int)
    """Done so far, total (total 0 means unknown)."""
    sig_cancelled = Signal()
    """The job stopped because the user cancelled it."""

    def __init__(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        super().__init__()
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self._cancel = threading.Event()
        self.done = threading.Event()
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        if "progress" in params:
            self.kwargs["progress"] = self._progress
        if "cancelled" in params:
            self.kwargs["cancelled"] = self._cancel.is_set

    def _progress(self, done: int, total: int = 0) -> None:
        if self._cancel.is_set():
            raise Cancelled()
        self.sig_progress.emit(int(done), int(total))

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            result = self.fn(*self.args, **self.kwargs)
        except Cancelled:
            self.sig_cancelled.emit()
        except Exception as exc:  # reported to the user by the caller
            exc.__cop_traceback__ = traceback.format_exc()  # type: ignore[attr-defined]
            log.debug("job %s failed", getattr(self.fn, "__name__", self.fn), exc_info=True)
            self.sig_failed.emit(exc)
        else:
            if self._cancel.is_set():
                self.sig_cancelled.emit()
            else:
                self.sig_finished.emit(result)
        finally:
            self.done.set()


class _Runnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.setAutoDelete(True)

    def run(self) -> None:
        self.job.run()


class Runner(QObject):
    """The app's background executors: ``db`` (one thread, ordered) and ``io``."""

    sig_error = Signal(str)
    """A job without its own error handler failed; the text is for the user."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pools = {"db": QThreadPool(self), "io": QThreadPool(self)}
        self._pools["db"].setMaxThreadCount(1)
        self._pools["io"].setMaxThreadCount(2)
        self._jobs: set[Job] = set()
        self._closed = False

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        pool: str = "db",
        **kwargs: Any,
    ) -> Job:
        job = Job(fn, args, kwargs)
        if self._closed:  # the window is closing: late work is dropped, not run
            log.debug("dropped %s: the runner is closed", getattr(fn, "__name__", fn))
            return job
        self._jobs.add(job)
        if on_done:
            job.sig_finished.connect(on_done)
        if on_progress:
            job.sig_progress.connect(on_progress)
        job.sig_failed.connect(on_error or self._report)
        for sig in (job.sig_finished, job.sig_failed, job.sig_cancelled):
            sig.connect(lambda *_a, j=job: self._jobs.discard(j))
        self._pools[pool].start(_Runnable(job))
        return job

    def _report(self, exc: BaseException) -> None:
        self.sig_error.emit(str(exc))

    def idle(self) -> bool:
        """No job queued or running."""
        return not self._jobs

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every job finished (tests, shutdown)."""
        return all(p.waitForDone(msecs) for p in self._pools.values())

    def close(self) -> None:
        """Cancel what runs, wait for it, and run nothing more."""
        self._closed = True
        self.cancel_all()
        self.wait()

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.cancel()
