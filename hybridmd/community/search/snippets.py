"""Marked snippets and titles for search results: escaped text, <mark> around matches.

Matches are found by the same analysis that indexed the text
(``korean_terms.matching_spans``), but only on the words around substring hits of the
query terms, so the cost follows the hits, not the length of the text. A match whose
terms are not in its surface (an irregular verb stem) may go unmarked; what is
*found* never depends on this module, only what is marked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hybridmd.engines.documents.korean_terms import matching_spans, normalize


def _probe(term: str) -> str:
    """What to look for in the text: an English stem may have lost a letter (study/studies)."""
    return term[:-1] if term.isascii() and term.isalpha() and len(term) > 3 else term


def _chunks(text: str, terms: Sequence[str], start: int, end: int) -> list[tuple[int, int]]:
    """Stretches of ``text`` around substring hits of ``terms`` in [start, end), widened
    to whole words plus one word either side (at most 40 characters each way), merged."""
    lowered = text.lower()
    found: list[tuple[int, int]] = []
    for probe in {_probe(t) for t in terms}:
        i = lowered.find(probe, start, end)
        while i >= 0:
            hit_end = i + len(probe)
            before = text.rfind(" ", 0, i)
            left = text.rfind(" ", 0, before) + 1 if before > 0 else 0
            after = text.find(" ", hit_end)
            right = text.find(" ", after + 1) if after >= 0 else -1
            right = len(text) if right < 0 else right
            found.append((max(left, i - 40), min(right, hit_end + 40)))
            i = lowered.find(probe, i + 1, end)
    merged: list[tuple[int, int]] = []
    for a, b in sorted(found):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def highlight_spans(
    text: str, terms: Iterable[str], start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """``matching_spans`` in [start, end) of ``text`` (already normalised), analysing only
    the words around substring hits."""
    wanted = [t for t in dict.fromkeys(terms) if t]
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for a, b in _chunks(text, wanted, start, stop):
        spans += [(s + a, e + a) for s, e in matching_spans(text[a:b], wanted)]
    return spans


def _anchor(text: str, terms: Sequence[str]) -> int:
    """Where a match probably starts, found cheaply (longer terms first, 흉통 before 통)."""
    lowered = text.lower()
    for wanted in (t for t in terms if len(t) > 1), terms:
        hits = [i for i in (lowered.find(t) for t in wanted) if i >= 0]
        if hits:
            return min(hits)
    return 0


def snippet(text: str, terms: Iterable[str], *, width: int = 200) -> list[tuple[str, bool]]:
    """A window of about ``width`` characters around the first match, as (text, matched)
    segments; "…" marks cut ends."""
    wanted = [t for t in dict.fromkeys(terms) if t]
    normal = " ".join(normalize(text).split())  # one line; offsets below refer to this
    first = _anchor(normal, wanted)
    start = max(0, min(first - width // 4, len(normal) - width))
    end = min(len(normal), start + width)
    spans = highlight_spans(normal, wanted, start, end)
    if start > 0:  # begin and end on word boundaries when one is near
        space = normal.find(" ", start, min(first, start + 20))
        start = space + 1 if space >= 0 else start
    if end < len(normal):
        space = normal.rfind(" ", max(start, end - 20), end)
        end = space if space > first else end
    segments: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    cursor = start
    for span_start, span_end in spans:
        s, e = max(span_start, cursor), min(span_end, end)
        if s >= e:
            continue
        if s > cursor:
            segments.append((normal[cursor:s], False))
        segments.append((normal[s:e], True))
        cursor = e
    if cursor < end:
        segments.append((normal[cursor:end], False))
    if end < len(normal):
        segments.append(("…", False))
    return segments


def _marked(segments: list[tuple[str, bool]]) -> SafeString:
    html = "".join(f"<mark>{escape(s)}</mark>" if hit else str(escape(s)) for s, hit in segments)
    return mark_safe(html)  # noqa: S308 - every piece of text above went through escape()


def highlight_html(text: str, terms: Sequence[str]) -> SafeString:
    """The whole (short) text, escaped, with matched words marked."""
    normal = normalize(text)
    segments: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in highlight_spans(normal, terms):
        segments += [(normal[cursor:start], False), (normal[start:end], True)]
        cursor = end
    segments.append((normal[cursor:], False))
    return _marked(segments)


def snippet_html(text: str, terms: Sequence[str], *, width: int = 200) -> SafeString:
    """About ``width`` characters around the first match, escaped, matches marked."""
    return _marked(snippet(text, terms, width=width))
