from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hybridmd.audit.selectors import chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's SHA-256 chain; exit non-zero if any row was edited or deleted."

    def handle(self, *args: Any, **options: Any) -> None:
        report = chain_verify()
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(
                f"audit trail is NOT intact: {len(report.problems)} problem(s) "
                f"in {report.events_checked} events"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"audit trail intact: {report.events_checked} events, head {report.head_hash}"
            )
        )
