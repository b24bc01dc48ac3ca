"""The PySide6 window: a thin shell over the store and the domain; nothing clinical is computed here."""
