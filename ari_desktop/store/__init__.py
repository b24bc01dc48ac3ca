"""Every line of SQL in ARI Desktop lives in this package."""

from .changes import Change
from .store import Store

__all__ = ["Change", "Store"]
