"""Long work with a progress dialog and a Cancel button (the work runs in the worker)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.i18n import _
from app.ui.workers import Job, Runner


def run_with_progress(
    parent: QWidget,
    runner: Runner,
    label: str,
    fn: Callable[..., Any],
    *args: Any,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    on_cancelled: Callable[[], None] | None = None,
    pool: str = "db",
) -> tuple[Job, QProgressDialog]:
    """Run ``fn`` (which may take ``progress`` / ``cancelled``) with a dialog that
    shows after a moment, moves with the job's progress and cancels it."""
    dialog = QProgressDialog(label, _("Cancel"), 0, 0, parent)  # busy until the first step
    dialog.setWindowTitle(label.rstrip("…"))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def step(done: int, total: int) -> None:
        if total:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))

    def finished(result: Any) -> None:
        dialog.reset()
        dialog.deleteLater()
        on_done(result)

    def failed(exc: BaseException) -> None:
        dialog.reset()
        dialog.deleteLater()
        on_error(exc)

    def cancelled() -> None:
        dialog.reset()
        dialog.deleteLater()
        if on_cancelled is not None:
            on_cancelled()

    job = runner.submit(fn, *args, on_done=finished, on_error=failed, on_progress=step, pool=pool)
    job.sig_cancelled.connect(cancelled)
    dialog.canceled.connect(job.cancel)
    return job, dialog
