from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hybridmd.accounts import demo as accounts_demo
from hybridmd.community import demo as community_demo


class Command(BaseCommand):
    help = "Load the demo facilities, accounts and community content (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = accounts_demo.seed()
        posts = community_demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {counts['facilities']} facilities, {counts['people']} accounts, "
                f"{posts} new community posts. "
                f"Password for every demo account: {accounts_demo.DEMO_PASSWORD}"
            )
        )
