from __future__ import annotations


class IntakeError(ValueError):
    """A file or record refused; ``str()`` is one sentence for the person who sent it."""
