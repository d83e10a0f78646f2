# Type hints of mergeflow's compiled half (python/mergeflow_module.cc).
from typing import Any

import numpy

version: str

class Error(Exception):
    """A mergeflow command failed; the message is the program's one-line error."""

def run(args: list[str], keep_tables: bool, program: str) -> dict[str, Any]:
    """Runs one mergeflow command line in this process. Returns {'manifest': str | None,
    'tables': list[tuple[list[str], list[numpy.ndarray]]]}."""

def options(command: str) -> dict[str, bool]:
    """The named options of a command: {long name: whether it takes a value}."""
