"""Search indexing after commit, in the worker: the write never waits for Korean analysis."""

from __future__ import annotations

from django.db import transaction

from hybridmd.community import tasks
from hybridmd.community.models import Answer, Moderated, Post


def index_soon(item: Moderated) -> None:
    kind = "post" if isinstance(item, Post) else "answer" if isinstance(item, Answer) else "comment"
    item_id = item.pk
    transaction.on_commit(lambda: tasks.search_index.delay(kind, item_id))
