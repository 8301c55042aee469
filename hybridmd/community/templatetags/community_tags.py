from __future__ import annotations

from django import template

from hybridmd.community import identity
from hybridmd.community.models import Post

register = template.Library()


@register.filter
def shown_author(post: Post) -> identity.AuthorView:
    """The author as readers may see them: the pseudonym for an anonymous question."""
    return identity.post_author(post)
