"""Every line of SQL in ARI Desktop lives in this package."""

from .store import Change, Store

__all__ = ["Change", "Store"]
