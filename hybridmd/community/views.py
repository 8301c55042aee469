"""HTML views of the community: thin; rules live in services, selectors and permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID, uuid4

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hybridmd.accounts import permissions
from hybridmd.accounts.models import User, as_user
from hybridmd.clinical_files import selectors as clinical_selectors
from hybridmd.clinical_files import services as clinical_files
from hybridmd.community import fragments, identity, selectors, selectors_polls
from hybridmd.community.errors import ConflictError
from hybridmd.community.forms import AnswerForm, CommentForm, PostForm, ReportForm, ResolveForm
from hybridmd.community.models import Answer, Board, Comment, Post
from hybridmd.community.services import moderation, polls
from hybridmd.community.services import posts as post_services
from hybridmd.engines.intake.archives import IncomingFile, safe_name

member_required = permissions.permission_required(permissions.COMMUNITY_VIEW)
T = TypeVar("T")


def _apply(form: Form, action: Callable[[], T]) -> tuple[T | None, int]:
    """Run a service; put its validation errors on the form. Returns (result, http status)."""
    try:
        return action(), 200
    except ConflictError as exc:
        form.add_error(None, exc)
        return None, 409
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None, 422


def _user(request: HttpRequest) -> User:
    return as_user(request.user)


@login_required
def community_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    readable = selectors.boards(user)
    if not readable:
        raise PermissionDenied(_("Only verified physicians can read the community."))
    return render(
        request,
        "community/home.html",
        {"boards": readable, "recent": selectors.recent_posts(readable, 15)},
    )


@login_required
def board_detail(request: HttpRequest, slug: str) -> HttpResponse:
    board = selectors.board_by_slug(slug, _user(request))
    answered = {"yes": True, "no": False}.get(request.GET.get("answered", ""))
    filters = selectors.PostFilters(
        specialty=request.GET.get("specialty", "")[:20],
        tag=request.GET.get("tag", "")[:30],
        answered=answered,
    )
    number = selectors.page_number(request.GET.get("page"))
    kept = {
        "specialty": filters.specialty,
        "tag": filters.tag,
        "answered": request.GET.get("answered", ""),
    }

    def context() -> dict[str, Any]:
        return {
            "page": selectors.page_of(selectors.board_posts(board, filters), str(number)),
            "filters": filters,
            "filter_query": urlencode({k: v for k, v in kept.items() if v}),
        }

    rows = fragments.cached(
        request,
        "board",
        parts=(board.pk, filters, number),
        scopes=[fragments.board_scope(board.pk)],
        templates={"rows": "community/_board_rows.html"},
        context=context,
    )
    return render(
        request,
        "community/board.html",
        {
            "board": board,
            "filters": filters,
            "fragments": rows,
            "can_post": permissions.has_perm(request.user, board.post_permission),
        },
    )


def _attachment_context(
    request: HttpRequest, board: Board
) -> tuple[dict[str, Any], ValidationError | None]:
    """Files already uploaded for this form, and any sent with it now (the no-JS path)."""
    if not board.allows_files:
        return {}, None
    batch = request.POST.get("batch", "")
    try:
        batch_id = UUID(batch)
    except ValueError:
        batch_id = uuid4()
    context: dict[str, Any] = {
        "batch": batch_id,
        "uploaded": clinical_selectors.own_unpublished(
            _user(request), request.POST.getlist("attachments")
        ),
        "upload_outcome": None,
        "confirmed": request.POST.getlist("confirmed"),
    }
    if request.method != "POST":
        return context, None
    too_large = clinical_files.upload_too_large(
        content_length=int(request.META.get("CONTENT_LENGTH") or 0), file_sizes=()
    )
    if too_large:  # refused before request.FILES reads the body
        return context, ValidationError(too_large)
    sent = request.FILES.getlist("files")
    if sent:
        try:
            context["upload_outcome"] = clinical_files.files_ingest(
                uploader=_user(request),
                batch=batch_id,
                files=[IncomingFile(name=safe_name(f.name or "file"), data=f.read()) for f in sent],
            )
        except ValidationError as exc:
            return context, exc
    return context, None


@member_required
@require_http_methods(["GET", "POST"])
def post_create(request: HttpRequest, slug: str) -> HttpResponse:
    board = selectors.board_by_slug(slug, _user(request))
    permissions.require(request.user, board.post_permission)
    form = PostForm(request.POST or None, board=board)
    status = 200
    files, refused = _attachment_context(request, board)
    if refused is not None:
        form.is_valid()  # errors are added to a cleaned form
        form.add_error(None, refused)
        status = 422
    if request.method == "POST" and status == 200:
        status = 422
        if files.get("upload_outcome") is not None:
            # Files came with the form: show their reports first; the text stays.
            status = 200 if files["upload_outcome"].files else 422
        elif form.is_valid():
            post, status = _apply(form, lambda: _create_post(request, board, form))
            if post is not None:
                messages.success(request, _("Posted."))
                return redirect("community_post", public_id=post.public_id)
    return render(
        request,
        "community/post_form.html",
        {"form": form, "board": board, **files},
        status=status,
    )


@transaction.atomic
def _create_post(request: HttpRequest, board: Board, form: PostForm) -> Any:
    data = form.cleaned_data
    post = post_services.post_create(
        author=_user(request),
        board=board,
        title=data["title"],
        body=data["body"],
        specialty=data.get("specialty"),
        tags=form.tag_names(),
        anonymous=bool(data.get("anonymous")),
        event=post_services.EventDetails(
            starts_at=data.get("event_starts_at"),
            ends_at=data.get("event_ends_at"),
            url=data.get("event_url") or "",
            registration_url=data.get("registration_url") or "",
        ),
        job_location=data.get("job_location") or "",
        attachments=request.POST.getlist("attachments") if board.allows_files else (),
        confirmed=request.POST.getlist("confirmed"),
        request=request,
    )
    if data.get("poll_question"):
        polls.poll_create(
            creator=_user(request),
            post=post,
            question=data["poll_question"],
            options=form.poll_options_list(),
            multiple=bool(data.get("poll_multiple")),
            closes_at=data.get("poll_closes_at"),
        )
    return post


def _thread_fragments(
    request: HttpRequest, head: selectors.ThreadHead, urls: dict[str, str]
) -> dict[str, SafeString]:
    post = head.post
    show_accept = head.viewer_is_author and not post.accepted_answer_id
    templates = {
        "meta": "community/_thread_meta.html",
        "attachments": "community/_thread_attachments.html",
        "comments": "community/_thread_comments.html",
    }
    if post.board.takes_answers:
        templates["answers"] = "community/_thread_answers.html"

    def context() -> dict[str, Any]:
        selectors.with_shown_details(post)
        body = selectors.thread_body(post)
        return {
            "post": post,
            "author": identity.post_author(post),
            "revision_count": selectors.revision_count(post),
            "attachments": selectors.attachments(post),
            "answers": body.answers,
            "comments": body.comments,
            "urls": urls,
            "show_accept": show_accept,
        }

    parts = fragments.cached(
        request,
        "thread",
        parts=(post.pk, show_accept),
        scopes=[fragments.thread_scope(post.public_id)],
        templates=templates,
        context=context,
    )
    if "answers" in parts:
        parts["answers"] = fragments.disable_votes(parts["answers"], head.voted_answers)
    return parts


def _thread_context(request: HttpRequest, public_id: UUID, **extra: Any) -> dict[str, Any]:
    viewer = _user(request)
    head = selectors.thread_head(public_id, viewer)
    post = head.post
    poll = getattr(post, "poll", None)
    # Reversed once here: a thread with many answers would otherwise reverse them once
    # per answer and comment.
    urls = {
        "vote": reverse("community_vote", args=[post.public_id]),
        "comment": reverse("community_comment_create", args=[post.public_id]),
        "report": reverse("community_report", args=[post.public_id]),
    }
    context: dict[str, Any] = {
        "thread": head,
        "post": post,
        "urls": urls,
        "fragments": _thread_fragments(request, head, urls),
        "poll": poll,
        "poll_state": selectors_polls.poll_results(poll, viewer=viewer) if poll else None,
        "answer_form": AnswerForm(),
        "comment_form": CommentForm(),
        "can_answer": post.board.takes_answers
        and not head.viewer_is_author
        and permissions.has_perm(viewer, post.board.answer_permission),
        "can_moderate": permissions.has_perm(viewer, moderation.MODERATE),
        "can_reveal": post.is_anonymous and permissions.has_perm(viewer, moderation.REVEAL),
    }
    context.update(extra)
    return context


@login_required
def post_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return render(request, "community/post_detail.html", _thread_context(request, public_id))


@member_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    post = selectors.post_for_reader(public_id, _user(request))
    if post.author_id != request.user.pk:
        raise PermissionDenied(_("Only the author can edit this post."))
    initial = {
        "title": post.title,
        "body": post.body,
        "specialty": post.specialty,
        "tags": ", ".join(t.name for t in post.tags.all()),
    }
    form = PostForm(request.POST or None, board=post.board, editing=True, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            edited, status = _apply(
                form,
                lambda: post_services.post_edit(
                    editor=_user(request),
                    post_id=post.pk,
                    title=data["title"],
                    body=data["body"],
                    specialty=data.get("specialty"),
                    tags=form.tag_names(),
                    request=request,
                ),
            )
            if edited is not None:
                messages.success(request, _("Saved. The earlier version is kept in the history."))
                return redirect("community_post", public_id=post.public_id)
    return render(
        request,
        "community/post_form.html",
        {"form": form, "board": post.board, "post": post},
        status=status,
    )


@login_required
def post_history(request: HttpRequest, public_id: UUID) -> HttpResponse:
    post = selectors.post_for_reader(public_id, _user(request))
    return render(
        request,
        "community/post_history.html",
        {"post": post, "revisions": selectors.revisions(post)},
    )


def _rerender(request: HttpRequest, public_id: UUID, status: int, **forms: Form) -> HttpResponse:
    return render(
        request,
        "community/post_detail.html",
        _thread_context(request, public_id, **forms),
        status=status,
    )


def _write_in_thread(
    request: HttpRequest,
    public_id: UUID,
    form: AnswerForm | CommentForm,
    form_name: str,
    write: Callable[[Post], Answer | Comment],
) -> HttpResponse:
    """Validate, write through a service, and land on the new item; or show the errors."""
    post = selectors.post_for_reader(public_id, _user(request))
    status = 422
    if form.is_valid():
        item, status = _apply(form, lambda: write(post))
        if item is not None:
            anchor = "answer" if isinstance(item, Answer) else "comment"
            return redirect(
                reverse("community_post", args=[post.public_id]) + f"#{anchor}-{item.pk}"
            )
    return _rerender(request, public_id, status, **{form_name: form})


@login_required
@require_POST
def answer_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    form = AnswerForm(request.POST)
    return _write_in_thread(
        request,
        public_id,
        form,
        "answer_form",
        lambda post: post_services.answer_create(
            author=_user(request), post_id=post.pk, body=form.cleaned_data["body"], request=request
        ),
    )


@login_required
@require_POST
def comment_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    form = CommentForm(request.POST)
    return _write_in_thread(
        request,
        public_id,
        form,
        "comment_form",
        lambda post: post_services.comment_create(
            author=_user(request),
            post_id=post.pk,
            body=form.cleaned_data["body"],
            answer_id=form.cleaned_data.get("answer"),
            parent_id=form.cleaned_data.get("parent"),
            request=request,
        ),
    )


@member_required
@require_POST
def answer_accept(request: HttpRequest, public_id: UUID, answer_id: int) -> HttpResponse:
    post = selectors.post_for_reader(public_id, _user(request))
    try:
        post_services.answer_accept(asker=_user(request), answer_id=answer_id, request=request)
    except ConflictError as exc:
        messages.error(request, exc.messages[0])
        return redirect("community_post", public_id=post.public_id)
    messages.success(request, _("Answer accepted. Thank you for closing the loop."))
    return redirect("community_post", public_id=post.public_id)


@member_required
@require_POST
def vote(request: HttpRequest, public_id: UUID) -> HttpResponse:
    post = selectors.post_for_reader(public_id, _user(request))
    answer_id = request.POST.get("answer")
    try:
        score = post_services.vote_add(
            voter=_user(request),
            post_id=None if answer_id else post.pk,
            answer_id=int(answer_id) if answer_id and answer_id.isdigit() else None,
        )
    except ConflictError as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(exc.messages[0], status=409)
        messages.error(request, exc.messages[0])
        return redirect("community_post", public_id=post.public_id)
    if request.headers.get("HX-Request"):
        return render(request, "community/_vote_done.html", {"score": score})
    return redirect("community_post", public_id=post.public_id)


@member_required
@require_POST
def bookmark(request: HttpRequest, public_id: UUID) -> HttpResponse:
    post = selectors.post_for_reader(public_id, _user(request))
    marked = post_services.bookmark_toggle(user=_user(request), post_id=post.pk)
    messages.success(request, _("Bookmarked.") if marked else _("Bookmark removed."))
    return redirect("community_post", public_id=post.public_id)


@member_required
def bookmarks(request: HttpRequest) -> HttpResponse:
    return render(
        request, "community/bookmarks.html", {"posts": selectors.bookmarks_of(_user(request))}
    )


@member_required
@require_POST
def report(request: HttpRequest, public_id: UUID) -> HttpResponse:
    post = selectors.post_for_reader(public_id, _user(request))
    form = ReportForm(request.POST)
    if form.is_valid():
        created, status = _apply(
            form,
            lambda: moderation.report_create(
                reporter=_user(request),
                kind=form.cleaned_data["kind"],
                target_id=form.cleaned_data["target"],
                reason=form.cleaned_data["reason"],
                request=request,
            ),
        )
        if created is not None:
            messages.success(request, _("Thank you. It is hidden until a moderator reviews it."))
            return (
                redirect("community_board", slug=post.board.slug)
                if created.post_id
                else redirect("community_post", public_id=post.public_id)
            )
    else:
        status = 422
    for error in form.non_field_errors() + form.errors.get("reason", []):
        messages.error(request, str(error))
    response = redirect("community_post", public_id=post.public_id)
    response.status_code = 303 if status in {409, 422} else 302
    return response


@permissions.permission_required(moderation.MODERATE)
@require_http_methods(["GET", "POST"])
def moderation_queue(request: HttpRequest) -> HttpResponse:
    form = ResolveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        report_id = request.POST.get("report", "")
        status = 422
        if form.is_valid() and report_id.isdigit():
            done, status = _apply(
                form,
                lambda: moderation.report_resolve(
                    moderator=_user(request),
                    report_id=int(report_id),
                    decision=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                    request=request,
                ),
            )
            if done is not None:
                messages.success(request, _("Decision recorded."))
                return redirect("community_moderation")
    return render(
        request,
        "community/moderation.html",
        {"reports": selectors.moderation_queue(), "form": form},
        status=status,
    )


@permissions.permission_required(moderation.REVEAL)
@require_POST
def reveal_asker(request: HttpRequest, public_id: UUID) -> HttpResponse:
    viewer = _user(request)
    post = selectors.post_for_reader(public_id, viewer)
    real = moderation.asker_reveal(viewer=viewer, post=post, request=request)
    return render(request, "community/_revealed.html", {"real": real, "post": post})


@member_required
def member_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return render(
        request, "community/member.html", {"page": selectors.member_page(user_id, _user(request))}
    )
