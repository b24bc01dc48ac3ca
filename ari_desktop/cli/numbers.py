"""Numbers typed on the command line, read as the window reads them (core/text.py): "0.4" and "0,4"
are both 0.4, whatever the locale; anything else ("1e3", "nan", "1.234,5", "1_960") is refused
with the window's sentence, naming the value, and exit code 2."""

from __future__ import annotations

import click

from ..core.text import parse_decimal, parse_whole_number


class DecimalNumber(click.types.FloatParamType):
    """click's float, read by parse_decimal instead of float() (which takes "nan" and "1e309" and
    refuses "0,4")."""

    name = "number"

    def __init__(self, what: str, example: str):
        self.what, self.example = what, example

    def convert(self, value, param, ctx) -> float:
        if isinstance(value, float | int):  # a default of the option
            return float(value)
        return parse_decimal(value, self.what, param.name if param else "", self.example)


class WholeNumber(click.types.IntParamType):
    """click's integer, read by parse_whole_number instead of int() (which takes "1_960")."""

    name = "integer"

    def __init__(self, what: str, example: str):
        self.what, self.example = what, example

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int):
            return value
        return parse_whole_number(value, self.what, param.name if param else "", self.example)
