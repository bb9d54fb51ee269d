"""Logging for workflow jobs: one log file per job, warnings included."""

from __future__ import annotations

import logging


def log_to(path: str | None) -> logging.Logger:
    """Send logging (and Python warnings) of this job to ``path``; return the package logger."""
    handlers = [logging.FileHandler(path, mode="w")] if path else [logging.StreamHandler()]
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers, force=True,
    )
    logging.captureWarnings(True)
    return logging.getLogger("seisclass")
