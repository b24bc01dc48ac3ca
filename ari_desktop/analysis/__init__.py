"""Statistics over the cohort's endpoints (survival curves). Imported only where a table or a figure is
computed, never at the window's first paint: the libraries behind it are heavy."""
