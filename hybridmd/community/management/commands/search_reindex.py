"""Rebuild the community search index from the posts, answers and comments."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from hybridmd.community.search import reindex_all


class Command(BaseCommand):
    help = "Rebuild the community search index (all visible posts, answers and comments)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=200, help="posts analysed per batch (default 200)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        count = reindex_all(batch_size=max(1, options["batch_size"]))
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} items in {elapsed:.1f} s."))
