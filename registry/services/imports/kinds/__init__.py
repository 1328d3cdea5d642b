"""One class per kind of list, each with its preview and its confirm.

KINDS holds those kept as an ImportBatch between the two; target results are checked and entered
in one call.
"""

from .base import Kind
from .history import History
from .honorees import Honorees
from .ratings import Ratings
from .targets import TargetResults

KINDS: dict[str, Kind] = {kind.kind: kind() for kind in (Honorees, History, Ratings)}

__all__ = ["KINDS", "History", "Honorees", "Kind", "Ratings", "TargetResults"]
