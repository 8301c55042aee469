"""Where the shared sample data lives: ECGs, radiographs and notes read in place by the
tests and benchmarks, never copied into the repository.

In order: ``$HYBRIDMD_SHARED_DATA``; ``<repository>/../shared/data``; and, for a local
clone (``git clone /path/to/hybridmd /tmp/x``), ``../shared/data`` beside the repository
it was cloned from.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ENV = "HYBRIDMD_SHARED_DATA"
MISSING_REASON = f"the shared sample data was not found (set {ENV} to the folder)"


def repository_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    raise FileNotFoundError("pyproject.toml not found above hybridmd/engines")


def _clone_origin(root: Path) -> Path | None:
    try:
        url = subprocess.run(  # noqa: S603 -- fixed arguments, no shell
            ["git", "-C", str(root), "config", "--get", "remote.origin.url"],  # noqa: S607
            capture_output=True, text=True, check=False, timeout=5,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    origin = Path(url.removeprefix("file://")) if url else None
    return origin if origin is not None and origin.is_dir() else None


def shared_data_dir() -> Path | None:
    """The shared data folder, or None when there is none on this machine."""
    configured = os.environ.get(ENV)
    if configured:
        return Path(configured) if Path(configured).is_dir() else None
    root = repository_root()
    beside = root.parent / "shared" / "data"
    if beside.is_dir():
        return beside
    origin = _clone_origin(root)
    if origin is not None and (origin.parent / "shared" / "data").is_dir():
        return origin.parent / "shared" / "data"
    return None


def shared_data_or_placeholder() -> Path:
    """For module-level constants: the folder, or a path that does not exist (tests skip)."""
    return shared_data_dir() or Path(os.devnull) / "shared-data-not-found"
