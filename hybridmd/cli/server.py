"""Commands that run against the Hybrid MD database: ``manage``, ``audit-verify``, ``seed-demo``."""

from __future__ import annotations

import argparse
import os
from typing import Any


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hybridmd.config.settings")
    # Imported here so `hybridmd --help` works without settings or a database.
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    try:
        execute_from_command_line(["hybridmd manage", *argv])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def register(subparsers: Any) -> None:
    manage = subparsers.add_parser(
        "manage", help="run a Django management command (migrate, createsuperuser, ...)"
    )
    manage.add_argument("args", nargs=argparse.REMAINDER, help="the command and its arguments")
    manage.set_defaults(handler=lambda a: _django(a.args or ["help"]))

    verify = subparsers.add_parser(
        "audit-verify", help="check that no audit record was edited or deleted"
    )
    verify.set_defaults(handler=lambda a: _django(["audit_verify"]))

    seed = subparsers.add_parser("demo-seed", help="load the demo facilities and accounts")
    seed.set_defaults(handler=lambda a: _django(["demo_seed"]))
