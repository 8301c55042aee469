"""Reports, the moderation queue's decisions, and the audited look behind a pseudonym."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hybridmd.accounts import permissions
from hybridmd.accounts.models import User
from hybridmd.audit import services as audit
from hybridmd.clinical_files import services as clinical_files
from hybridmd.community import identity
from hybridmd.community.errors import ConflictError
from hybridmd.community.models import Answer, Comment, Moderated, Post, Report, Visibility
from hybridmd.community.services.indexing import index_soon

MODERATE = "community.moderate"
REVEAL = "community.reveal_anonymous"
REASON_MAX = 500

TargetKind = Literal["post", "answer", "comment"]
_MODELS: dict[str, type[Post] | type[Answer] | type[Comment]] = {
    "post": Post,
    "answer": Answer,
    "comment": Comment,
}


def _target(kind: str, target_id: int) -> Moderated:
    model = _MODELS.get(kind)
    if model is None:
        raise ValidationError(_("Unknown kind of content."))
    found = model.objects.select_for_update().filter(pk=target_id).first()
    if found is None:
        raise Http404(_("This content does not exist."))
    return found


def _set_status(
    item: Moderated, status: str, reason: str = "", *, moderator: User | None = None
) -> None:
    item.status = status
    item.removed_reason = reason
    item.save(update_fields=["status", "removed_reason"])
    index_soon(item)
    if status == Visibility.REMOVED and isinstance(item, Post):
        # A removed case takes its ECGs and images out of everyone's sight.
        public_ids = list(item.attachments.values_list("file__public_id", flat=True))
        if public_ids:
            clinical_files.files_withdraw(actor=moderator, public_ids=public_ids)


@transaction.atomic
def report_create(
    *,
    reporter: User,
    kind: TargetKind,
    target_id: int,
    reason: str,
    request: HttpRequest | None = None,
) -> Report:
    """Flag content; it is hidden at once and waits in the moderation queue."""
    permissions.require(
        reporter,
        permissions.COMMUNITY_VIEW,
        message=_("Only verified physicians can use the community."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say briefly what is wrong with it.")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason under %(n)s characters.") % {"n": REASON_MAX}}
        )
    item = _target(kind, target_id)
    if item.status == Visibility.REMOVED:
        raise Http404(_("This content does not exist."))
    if Report.objects.filter(reporter=reporter, status=Report.Status.OPEN, **{kind: item}).exists():
        raise ConflictError(
            _("You have already reported this; a moderator will look at it."), code="reported"
        )
    report = Report.objects.create(reporter=reporter, reason=reason, **{kind: item})
    if item.status == Visibility.VISIBLE:
        _set_status(item, Visibility.HIDDEN)
    audit.record(reporter, "community.reported", report, request=request, detail={kind: item.pk})
    return report


@transaction.atomic
def report_resolve(
    *,
    moderator: User,
    report_id: int,
    decision: Literal["restore", "remove"],
    note: str = "",
    request: HttpRequest | None = None,
) -> Report:
    """Restore the content, or remove it with a reason; every open report on it closes."""
    permissions.require(moderator, MODERATE)
    report = Report.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise Http404(_("This report does not exist."))
    if report.status != Report.Status.OPEN:
        raise ConflictError(_("This report has already been decided."), code="decided")
    note = (note or "").strip()[:300]
    if decision == "remove" and not note:
        raise ValidationError(
            {"note": _("Give the reason for removing it; the author will see it.")}
        )
    kind = "post" if report.post_id else "answer" if report.answer_id else "comment"
    item = _target(kind, int(report.post_id or report.answer_id or report.comment_id or 0))
    if decision == "restore":
        _set_status(item, Visibility.VISIBLE)
        outcome = Report.Status.RESTORED
    else:
        _set_status(item, Visibility.REMOVED, note, moderator=moderator)
        outcome = Report.Status.REMOVED
    Report.objects.filter(status=Report.Status.OPEN, **{kind: item}).update(
        status=outcome, resolved_by=moderator, resolved_at=timezone.now(), resolution_note=note
    )
    report.refresh_from_db()
    audit.record(
        moderator, f"community.report_{decision}d", report, request=request, detail={kind: item.pk}
    )
    return report


@transaction.atomic
def content_remove(
    *,
    moderator: User,
    kind: TargetKind,
    target_id: int,
    reason: str,
    request: HttpRequest | None = None,
) -> None:
    """A moderator removes content without waiting for a report."""
    permissions.require(moderator, MODERATE)
    reason = (reason or "").strip()[:300]
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for removing it; the author will see it.")}
        )
    item = _target(kind, target_id)
    _set_status(item, Visibility.REMOVED, reason, moderator=moderator)
    audit.record(moderator, "community.content_removed", item, request=request)


def asker_reveal(
    *, viewer: User, post: Post, request: HttpRequest | None = None
) -> identity.AuthorView:
    """Who asked an anonymous question: moderators and admins only, and every look is recorded."""
    permissions.require(viewer, REVEAL)
    audit.record(viewer, "community.asker_revealed", post, request=request)
    return identity.real_author(post.author)
