"""Logging for workflow jobs: one log file per job, warnings and uncaught errors included."""

from __future__ import annotations

import logging
import sys


def log_to(path: str | None) -> logging.Logger:
    """Send logging, Python warnings and uncaught exceptions of this job to ``path``; return the package logger.

    An uncaught exception is written to the log with its traceback (then shown
    on stderr as usual), so a failed rule's log says why it failed.
    """
    handlers = [logging.FileHandler(path, mode="w")] if path else [logging.StreamHandler()]
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers, force=True,
    )
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    return logging.getLogger("seisclass")


def _log_uncaught(kind, value, traceback) -> None:
    if not issubclass(kind, KeyboardInterrupt):
        logging.getLogger("seisclass").critical("uncaught %s: %s", kind.__name__, value,
                                                exc_info=(kind, value, traceback))
    sys.__excepthook__(kind, value, traceback)
