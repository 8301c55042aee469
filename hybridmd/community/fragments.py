"""Cached HTML fragments of the community's busiest pages, invalidated by generation.

A board's list, a thread's answers and comments, and a search's results look the same to
every member who may read them (anonymous askers are pseudonymous for everyone; who
sees what is decided before a fragment is fetched). So they are rendered once and kept
in the cache, keyed by what they show and by the current *generation* of each scope
they depend on (``board:<id>``, ``thread:<post public id>``, ``search``). The thread's
post row itself is kept the same way (``cached_object``); permission checks run on it
for every request.

A write bumps its scopes' generations (a new random token, not a counter: if the cache
evicts a generation, the next reader draws a fresh token, so an old fragment can never
be mistaken for a current one). Fragments also expire after ``FRAGMENT_TTL`` seconds,
which bounds how long a renamed author or facility shows its old name.

What differs per viewer stays out of the fragment: the CSRF token is rendered as a
placeholder and filled in per request, and vote buttons the viewer already used are
disabled afterwards (``disable_votes``).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

FRAGMENT_TTL = 600
_CSRF_PLACEHOLDER = "__hybridmd_csrf_token__"
_GENERATION_PREFIX = "community:generation:"
_FRAGMENT_PREFIX = "community:fragment:"

SEARCH = "search"


def board_scope(board_id: int) -> str:
    return f"board:{board_id}"


def thread_scope(post_public_id: uuid.UUID | str) -> str:
    """Keyed by the public id: the thread page knows it before it reads the post."""
    return f"thread:{post_public_id}"


def _generations(scopes: Iterable[str]) -> list[str]:
    keys = [_GENERATION_PREFIX + scope for scope in scopes]
    found = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    if missing:
        cache.set_many(missing, timeout=None)
    return [found.get(key) or missing[key] for key in keys]


def _bump_now(scopes: tuple[str, ...]) -> None:
    cache.set_many({_GENERATION_PREFIX + s: uuid.uuid4().hex for s in scopes}, timeout=None)


def bump(*scopes: str) -> None:
    """Invalidate every fragment of ``scopes``: now, and again when the transaction commits.

    The bump after commit closes the window in which a reader could cache what it read
    before the commit; the bump now covers callers outside a transaction's lifetime
    (and test transactions, which never commit).
    """
    _bump_now(scopes)
    transaction.on_commit(lambda: _bump_now(scopes))


def _key(name: str, parts: tuple[object, ...], generations: list[str]) -> str:
    text = repr((name, get_language(), parts, generations))
    return _FRAGMENT_PREFIX + name + ":" + hashlib.sha256(text.encode()).hexdigest()


def cached(
    request: HttpRequest,
    name: str,
    *,
    parts: tuple[object, ...],
    scopes: Iterable[str],
    templates: Mapping[str, str],
    context: Callable[[], dict[str, Any]],
) -> dict[str, SafeString]:
    """Each of ``templates`` rendered with ``context()``, from the cache when current.

    ``parts`` is everything besides the language that changes the output (ids, filters,
    page, viewer class); ``context`` is only called on a miss, so the queries it runs
    are skipped on a hit.
    """
    generations = _generations(scopes)
    keys = {slot: _key(f"{name}.{slot}", parts, generations) for slot in templates}
    found: dict[str, str] = cache.get_many(list(keys.values()))
    html = {slot: found[key] for slot, key in keys.items() if key in found}
    if len(html) < len(templates):
        values = {**context(), "csrf_token": _CSRF_PLACEHOLDER}
        rendered = {
            slot: render_to_string(template, values)
            for slot, template in templates.items()
            if slot not in html
        }
        cache.set_many({keys[slot]: text for slot, text in rendered.items()}, FRAGMENT_TTL)
        html.update(rendered)
    token = get_token(request) if any(_CSRF_PLACEHOLDER in text for text in html.values()) else ""
    return {slot: mark_safe(text.replace(_CSRF_PLACEHOLDER, token)) for slot, text in html.items()}  # noqa: S308 -- our own rendered templates


T = TypeVar("T")


def cached_object(
    name: str, *, parts: tuple[object, ...], scopes: Iterable[str], load: Callable[[], T | None]
) -> T | None:
    """``load()``'s result, from the cache while the scopes' generations hold; None is not kept."""
    key = _key(name, parts, _generations(scopes))
    found: T | None = cache.get(key)
    if found is None:
        found = load()
        if found is not None:
            cache.set(key, found, FRAGMENT_TTL)
    return found


def disable_votes(html: SafeString, voted: Iterable[int]) -> SafeString:
    """Disable the upvote buttons (``data-vote="<id>"``) of what the viewer has upvoted."""
    text = str(html)
    for item_id in voted:
        text = text.replace(f'data-vote="{item_id}"', f'data-vote="{item_id}" disabled')
    return mark_safe(text)  # noqa: S308 -- attribute added to our own rendered HTML
