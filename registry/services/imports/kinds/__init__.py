"""One class per kind of list, each with its preview and its confirm."""

from .base import Kind
from .history import History
from .honorees import Honorees
from .ratings import Ratings

KINDS: dict[str, Kind] = {kind.kind: kind() for kind in (Honorees, History, Ratings)}

__all__ = ["KINDS", "History", "Honorees", "Kind", "Ratings"]
