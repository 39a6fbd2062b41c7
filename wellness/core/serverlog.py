"""The server's own log at WARNING, with a replaced worker among the warnings.

uvicorn's supervisor reports a worker that died (and was replaced) at INFO, which the WARNING level
``make run`` serves at would hide. ``wellness/config/uvicorn-logging.json`` attaches this filter to
uvicorn's logger at INFO: the crash becomes a WARNING, every other INFO record is dropped as before.
"""

from __future__ import annotations

import logging
import re

# uvicorn.supervisors.multiprocess: "Child process [1234] died"
WORKER_DIED = re.compile(r"^Child process \[\d+\] died")


class WarningsAndCrashes(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING and WORKER_DIED.match(record.getMessage()):
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        return record.levelno >= logging.WARNING
