"""Which AI solutions are installed: every entry point of the ``hybridmd.ai_solutions`` group.

A package offers a solution by naming a connector object (or a class taking no arguments)
under its own name, as Hybrid MD does for its ECG engine in pyproject.toml:

    [project.entry-points."hybridmd.ai_solutions"]
    hybridmd-ecg = "hybridmd.engines.ai.builtin_ecg:solution"

An entry point that fails to load, is not a Connector, or repeats a name already taken is
skipped and reported (``scan().skipped``, and a logged warning from ``discover``). Loading
happens before any patient data is touched, so the reports carry none.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points

from hybridmd.engines.ai.builtin_ecg import solution as builtin_ecg
from hybridmd.engines.ai.results import Connector

ENTRY_POINT_GROUP = "hybridmd.ai_solutions"
MAX_DETAIL = 200

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Skipped:
    """An entry point left out, and why."""

    entry_point: str  # "name = module:attribute"
    reason: str


@dataclass(frozen=True)
class Discovery:
    solutions: dict[str, Connector] = field(default_factory=dict)
    skipped: tuple[Skipped, ...] = ()


def builtin_solutions() -> dict[str, Connector]:
    """The solutions that ship with Hybrid MD, for a source tree whose package metadata
    (and so its entry points) is not installed."""
    return {builtin_ecg.name: builtin_ecg}


def scan(found: Iterable[EntryPoint] | None = None) -> Discovery:
    """Load every entry point of the group (or the ones given), in name order."""
    if found is None:
        found = entry_points(group=ENTRY_POINT_GROUP)
    solutions: dict[str, Connector] = {}
    skipped: list[Skipped] = []
    for ep in sorted(found, key=lambda e: (e.name, e.value)):
        label = f"{ep.name} = {ep.value}"
        try:
            loaded = ep.load()
            connector = loaded() if isinstance(loaded, type) else loaded
        except Exception as error:  # a broken plug-in must not stop the others
            detail = f"{type(error).__name__}: {error}"[:MAX_DETAIL]
            skipped.append(Skipped(label, f"failed to load ({detail})"))
            continue
        problem = _not_a_connector(connector, ep.name)
        if problem is None and ep.name in solutions:
            problem = f"the name {ep.name!r} is already taken by another entry point"
        if problem is not None:
            skipped.append(Skipped(label, problem))
            continue
        solutions[ep.name] = connector
    return Discovery(solutions, tuple(skipped))


def discover(*, fallback: bool = True) -> dict[str, Connector]:
    """Installed solutions by name; each skipped entry point is logged as a warning. With
    ``fallback`` the built-in solutions fill in when their entry points are missing."""
    discovery = scan()
    for skip in discovery.skipped:
        logger.warning("AI solution entry point %s skipped: %s", skip.entry_point, skip.reason)
    if not fallback:
        return discovery.solutions
    return {**builtin_solutions(), **discovery.solutions}


def _not_a_connector(candidate: object, entry_name: str) -> str | None:
    """Why the object cannot serve as a Connector, or None."""
    if not isinstance(candidate, Connector):
        kind = type(candidate).__name__
        return f"{kind} does not provide name, version, accepts, vocabulary and run"
    name, version = getattr(candidate, "name", None), getattr(candidate, "version", None)
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        return "name and version must be non-empty strings"
    if not all(callable(getattr(candidate, m)) for m in ("accepts", "vocabulary", "run")):
        return "accepts, vocabulary and run must be methods"
    if name != entry_name:
        return f"the entry point is named {entry_name!r} but the solution calls itself {name!r}"
    return None
