"""Who is shown as the author of what. The only place that reads ``author`` for display.

An anonymous question's asker appears everywhere as the thread pseudonym ("Asker",
질문자), in the question and in the asker's own comments in that thread. Answers
always carry the answerer's real name, specialty and facility (or firm).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from hybridmd.accounts.models import User
from hybridmd.community.models import Answer, Comment, Post

AUTHOR_PROFILE_RELATED = (
    "physician_profile__specialty",
    "physician_profile__facility",
    "consultant_profile",
)
AUTHOR_RELATED = tuple(f"author__{path}" for path in AUTHOR_PROFILE_RELATED)


def author_prefetch(lookup: str = "author") -> Prefetch[str]:
    """Fetch the authors of many rows, with what they are shown with, in one query."""
    return Prefetch(lookup, queryset=User.objects.select_related(*AUTHOR_PROFILE_RELATED))


@dataclass(frozen=True)
class AuthorView:
    name: str
    specialty: str = ""
    affiliation: str = ""
    is_pseudonym: bool = False
    user_id: int | None = None  # None whenever the person must stay hidden

    @property
    def initials(self) -> str:
        return self.name[:1]


def pseudonym() -> AuthorView:
    return AuthorView(name=_("Asker"), is_pseudonym=True)


def real_author(user: User) -> AuthorView:
    profile = getattr(user, "physician_profile", None)
    consultant = getattr(user, "consultant_profile", None)
    if consultant is not None:
        return AuthorView(
            name=user.full_name,
            specialty=consultant.get_profession_display(),
            affiliation=consultant.firm_name,
            user_id=user.pk,
        )
    specialty = ""
    affiliation = ""
    if profile is not None:
        specialty = profile.specialty.name if profile.specialty else _("General practitioner")
        affiliation = profile.facility.name if profile.facility else profile.workplace_name
    return AuthorView(
        name=user.full_name or _("Member"),
        specialty=specialty,
        affiliation=affiliation,
        user_id=user.pk,
    )


def hides_author(post: Post, author_id: int) -> bool:
    return post.is_anonymous and post.author_id == author_id


def post_author(post: Post) -> AuthorView:
    return pseudonym() if post.is_anonymous else real_author(post.author)


def answer_author(answer: Answer) -> AuthorView:
    return real_author(answer.author)


def comment_author(comment: Comment, post: Post) -> AuthorView:
    if hides_author(post, comment.author_id):
        return pseudonym()
    return real_author(comment.author)
