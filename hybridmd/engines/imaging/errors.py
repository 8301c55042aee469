"""The one error the imaging engine raises for input it cannot use."""

from __future__ import annotations


class ImageReadError(ValueError):
    """An upload that is not a usable image.

    ``str()`` is one plain sentence naming the problem, fit to show to the uploader. It
    never carries a value from the file (a name, an ID, a date) or the file name.

    Library exceptions behind it are not chained (their messages can quote header values,
    and tracebacks end up in logs); ``cause`` keeps only the library exception's type name.
    """

    def __init__(self, message: str, *, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.cause = type(cause).__name__ if cause is not None else ""

    def __str__(self) -> str:
        return self.message
