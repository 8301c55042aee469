from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hybridmd.accounts import demo


class Command(BaseCommand):
    help = "Load the demo facilities and accounts (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {counts['facilities']} facilities, {counts['people']} accounts. "
                f"Password for every demo account: {demo.DEMO_PASSWORD}"
            )
        )
