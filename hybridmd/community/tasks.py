"""Background work for the community. Tasks take ids and may run more than once safely:
the work (and its idempotency) lives in the services they call."""

from __future__ import annotations

from celery import shared_task

from hybridmd.community import search
from hybridmd.community.services import notifications, paging


@shared_task(name="community.page_question")
def page_question(post_id: int, circle: int = 1) -> int:
    """Page one circle of specialists for a question; a circle already paged is a no-op."""
    return paging.page_circle(post_id=post_id, circle=circle)


@shared_task(name="community.repage_unanswered")
def repage_unanswered() -> int:
    """Periodic (Celery beat): page the next circle for questions still unanswered."""
    return len(paging.repage_unanswered())


@shared_task(name="community.notification_email")
def notification_email(notification_id: int) -> bool:
    """Email one notification if its recipient wants it; never twice."""
    return notifications.notification_email_send(notification_id=notification_id)


@shared_task(name="community.search_index")
def search_index(kind: str, object_id: int) -> bool:
    """Bring one post, answer or comment's search entry up to date with the database."""
    return search.index_item(kind, object_id)
