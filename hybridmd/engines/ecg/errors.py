"""The one error type the ECG engine raises for anything wrong with an uploaded recording."""

from __future__ import annotations


class ECGReadError(ValueError):
    """A recording that cannot be used, explained in one sentence a physician understands.

    The message names the problem and, where possible, what to do about it, e.g.
    "The WFDB header says 12 signals but the .dat file holds 2."
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
