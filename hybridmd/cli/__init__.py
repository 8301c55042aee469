"""The ``hybridmd`` command.

Each command group is a module in ``hybridmd.cli`` exposing ``register(subparsers)``;
add its name to ``COMMAND_GROUPS`` to put it on the command line.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from hybridmd import __version__

COMMAND_GROUPS: tuple[str, ...] = ("server", "files", "ecg")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hybridmd",
        description="Hybrid MD: AI reads, physicians double-check, referrals arrive summarised.",
    )
    parser.add_argument("--version", action="version", version=f"hybridmd {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMAND_GROUPS:
        importlib.import_module(f"hybridmd.cli.{group}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    result: int = handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
