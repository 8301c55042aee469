"""Search terms from Korean and English clinical text. Pure Python, no Django.

One analysis serves indexing, querying and highlighting, so the three cannot drift:

* KCD/ICD-10 codes (``I21.9``, ``E11.65``) are taken out by a regular expression
  before morphological analysis and indexed as one lowercase token plus every
  ancestor (``e11.65`` -> ``e11.65``, ``e11.6``, ``e11``). A query for a code must
  find that code or one of its descendants: ``I21`` finds ``I21.4`` and ``I21.9``,
  ``I21.9`` finds neither ``I21.4`` nor a bare ``I21``.
* Korean goes through Kiwi. Content morphemes are kept (nouns NNG/NNP, roots XR,
  verb and adjective stems VV/VA except light verbs, SN numbers, SH hanja); particles,
  endings, dependent nouns, pronouns and adverbs are dropped. Adjacent noun pieces
  (NNG/NNP/XR with a prefix XPN or suffix XSN, no space between) form a *run*;
  besides each piece, every joined sub-run is indexed (흉+통 -> 흉통;
  급성+심근+경색 -> 급성심근, 심근경색, 급성심근경색).
* The disease suffixes 증 and 병 are stripped as *extra* terms when at least two
  syllables remain (경색증 -> 경색, 심근경색증 -> 심근경색, 당뇨병 -> 당뇨, but 통증
  stays). 염 is not stripped: 위염 -> 위, 췌장염 -> 췌장 would match far too much.
* English (Kiwi's SL tokens) is lowercased and cut by a small suffix stripper
  (:func:`stem`); a few function words are dropped.

A query is a list of *concepts*, all required; each concept is a tuple of
*alternatives*, any one of which matches; an alternative is a tuple of terms that
must all be present. A Korean run ``심근경색증`` becomes the concept
(``심근경색증``) | (``심근경색``) | (``심근`` & ``경색``), which is what makes
``심근경색증`` find 심근경색 and 급성 심근 경색, while ranking the exact form first.

Kiwi is built once, lazily, under a lock; after that it is only read, which its
author states is safe from many threads (bab2min/Kiwi#145).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

MAX_CHARS = 50_000  # longer texts are indexed by their first MAX_CHARS characters
MAX_QUERY_CHARS = 200
MAX_CONCEPTS = 12
_MAX_SUBRUN = 5  # longest sub-run of a compound that is indexed on its own

Alternative = tuple[str, ...]
Concept = tuple[Alternative, ...]

_CODE = re.compile(r"(?<![0-9A-Za-z])([A-Za-z][0-9]{2})(?:\.([0-9A-Za-z]{1,4}))?(?![0-9A-Za-z])")
_NOUNS = frozenset({"NNG", "NNP", "XR"})
_RUN_TAGS = _NOUNS | {"XPN", "XSN"}
_STEMS = frozenset({"VV", "VA"})
_LIGHT_STEMS = frozenset({"하", "되", "있", "이", "않", "같", "그렇", "이렇", "저렇", "어떻"})
_SINGLES = frozenset({"SL", "SN", "SH"})
_DISEASE_SUFFIXES = ("증", "병")
_ENGLISH_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
    "of", "on", "or", "the", "this", "that", "to", "was", "were", "with",
})  # fmt: skip


class _Token(Protocol):
    form: str
    tag: str
    start: int
    len: int


class _Analyser(Protocol):
    def tokenize(self, text: str) -> list[_Token]: ...


_kiwi: _Analyser | None = None
_kiwi_lock = threading.Lock()


def _analyser() -> _Analyser:
    global _kiwi  # noqa: PLW0603 - the one lazily built, read-only analyser
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                # Imported here: loading the model takes a second. No type stubs upstream.
                from kiwipiepy import Kiwi  # type: ignore[import-untyped]  # noqa: PLC0415

                _kiwi = Kiwi()
    return _kiwi


@dataclass(frozen=True)
class Unit:
    """A stretch of the (normalised) text and the terms it is indexed under."""

    start: int
    end: int
    terms: tuple[str, ...]


@dataclass(frozen=True)
class _Piece:
    form: str
    tag: str
    start: int
    end: int


def normalize(text: str) -> str:
    """NFKC (full-width letters, compatibility jamo): offsets of :func:`units` refer to this."""
    return unicodedata.normalize("NFKC", text)[:MAX_CHARS]


def _clean(term: str) -> str:
    """Letters, digits and inner dots only, lowercased: one token for FTS5 and PostgreSQL."""
    kept = "".join(ch for ch in term.lower() if ch.isalnum() or ch == ".")
    return re.sub(r"\.{2,}", ".", kept).strip(".")


def stem(word: str) -> str:
    """A small English suffix stripper (a subset of Porter's step 1, plus -ment/-ness)."""
    w = word.lower()
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ingly", "edly", "ing", "ed", "ly", "ment", "ness"):
        base = w[: -len(suffix)]
        if w.endswith(suffix) and len(base) >= 3 and any(v in base for v in "aeiouy"):
            w = base
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeioulsz":
                w = w[:-1]  # stopped -> stopp -> stop
            break
    if len(w) >= 4 and w.endswith("e"):
        w = w[:-1]  # dose, doses, dosing, dosed -> dos
    return w


def strip_disease_suffix(word: str) -> str | None:
    """경색증 -> 경색, 당뇨병 -> 당뇨; None when nothing (or too little) would remain."""
    if word.endswith(_DISEASE_SUFFIXES) and len(word) >= 3:
        return word[:-1]
    return None


def _noun_terms(form: str) -> list[str]:
    stripped = strip_disease_suffix(form)
    return [form] if stripped is None else [form, stripped]


def _code_terms(code: str, detail: str | None) -> list[str]:
    category = code.lower()
    if not detail:
        return [category]
    detail = detail.lower()
    return (
        [f"{category}.{detail}"]
        + [f"{category}.{detail[:n]}" for n in range(len(detail) - 1, 0, -1)]
        + [category]
    )


def _pieces(text: str) -> tuple[list[_Piece], list[Unit]]:
    """Kept morphemes (codes blanked out first) and the code units, offsets into ``text``."""
    codes: list[Unit] = []

    def blank(match: re.Match[str]) -> str:
        codes.append(Unit(match.start(), match.end(), tuple(_code_terms(match[1], match[2]))))
        return " " * len(match[0])

    # Blanking keeps every offset; '#' would make Kiwi see one opaque hashtag token.
    plain = _CODE.sub(blank, text).replace("#", " ")
    pieces: list[_Piece] = []
    if plain.strip():
        for token in _analyser().tokenize(plain):
            tag = token.tag.removesuffix("-I").removesuffix("-R")
            end = token.start + token.len
            content_stem = tag in _STEMS and token.form not in _LIGHT_STEMS
            if tag in _RUN_TAGS or tag in _SINGLES or content_stem:
                pieces.append(_Piece(token.form, tag, token.start, end))
    return pieces, codes


def _groups(text: str) -> tuple[list[list[_Piece]], list[Unit]]:
    """Pieces grouped into runs (adjacent noun pieces) and singletons."""
    pieces, codes = _pieces(text)
    groups: list[list[_Piece]] = []
    for piece in pieces:
        previous = groups[-1][-1] if groups else None
        joins = (
            previous is not None
            and piece.tag in _RUN_TAGS
            and previous.tag in _RUN_TAGS
            and previous.end == piece.start
        )
        if joins:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    return groups, codes


def _core(run: Sequence[_Piece]) -> list[_Piece]:
    """The run without its trailing suffixes (고혈압성 -> 고+혈압)."""
    end = len(run)
    while end > 0 and run[end - 1].tag == "XSN":
        end -= 1
    return list(run[:end])


def _single_terms(piece: _Piece) -> list[str]:
    if piece.tag == "SL":
        word = piece.form.lower()
        if word in _ENGLISH_STOPWORDS or (len(word) == 1 and word.isalpha()):
            return []
        return [stem(word)]
    if piece.tag in _NOUNS:  # Kiwi knows some multi-word names: "대동맥 박리"
        words = piece.form.split()
        terms = _noun_terms("".join(words))
        return terms if len(words) < 2 else terms + [t for w in words for t in _noun_terms(w)]
    if piece.tag == "XSN":
        return []
    return [piece.form]


def _group_units(group: Sequence[_Piece]) -> list[Unit]:
    units = [Unit(p.start, p.end, tuple(_single_terms(p))) for p in group]
    core = _core(group)
    for i in range(len(core)):
        for j in range(i + 2, min(len(core), i + _MAX_SUBRUN) + 1):
            joined = "".join(p.form for p in core[i:j])
            units.append(Unit(core[i].start, core[j - 1].end, tuple(_noun_terms(joined))))
    if len(core) > _MAX_SUBRUN:  # and the whole long compound
        joined = "".join(p.form for p in core)
        units.append(Unit(core[0].start, core[-1].end, tuple(_noun_terms(joined))))
    if len(group) > max(len(core), 1):  # and with its suffixes: 고혈압성, 대동맥박+리
        joined = "".join(p.form for p in group)
        units.append(Unit(group[0].start, group[-1].end, tuple(_noun_terms(joined))))
    return units


def _finish(units: Iterable[Unit]) -> list[Unit]:
    cleaned = []
    for unit in units:
        terms = tuple(dict.fromkeys(t for t in map(_clean, unit.terms) if t))
        if terms:
            cleaned.append(Unit(unit.start, unit.end, terms))
    return sorted(cleaned, key=lambda u: (u.start, u.end))


def units(text: str) -> list[Unit]:
    """Every indexed stretch of ``normalize(text)`` with its terms, in text order."""
    groups, codes = _groups(normalize(text))
    found = list(codes)
    for group in groups:
        found.extend(_group_units(group))
    return _finish(found)


def index_terms(text: str) -> list[str]:
    """The terms a document is indexed under, in text order, repeats kept (they rank)."""
    return [term for unit in units(text) for term in unit.terms]


def _run_concept(group: Sequence[_Piece]) -> Concept:
    core = _core(group)
    if len(core) <= 1:
        piece = core[0] if core else group[0]
        words = piece.form.split()
        if piece.tag in _NOUNS and len(words) > 1:
            joined = "".join(words)
            return (*((t,) for t in _noun_terms(joined)), tuple(_noun_terms(w)[-1] for w in words))
        return tuple((term,) for term in _single_terms(piece))
    whole = "".join(p.form for p in group)
    joined = "".join(p.form for p in core)
    parts = tuple(_noun_terms(p.form)[-1] for p in core)
    return (*((t,) for t in dict.fromkeys([whole, *_noun_terms(joined)])), parts)


def parse_query(text: str) -> list[Concept]:
    """The concepts of a query (all required), each a choice of term sets."""
    groups, codes = _groups(normalize(text)[:MAX_QUERY_CHARS])
    ordered: list[tuple[int, Concept]] = [(u.start, ((u.terms[0],),)) for u in codes]
    ordered += [(g[0].start, _run_concept(g)) for g in groups]
    concepts: list[Concept] = []
    for _, concept in sorted(ordered, key=lambda pair: pair[0]):
        alternatives = [tuple(_clean(t) for t in alt) for alt in concept]
        cleaned = tuple(dict.fromkeys(alt for alt in alternatives if alt and all(alt)))
        if cleaned and cleaned not in concepts:
            concepts.append(cleaned)
    return concepts[:MAX_CONCEPTS]


def query_terms(text: str) -> list[str]:
    """Every term a query can match on, deduplicated: what a snippet highlights."""
    terms = (t for concept in parse_query(text) for alt in concept for t in alt)
    return list(dict.fromkeys(terms))


def matches(concepts: Sequence[Concept], terms: Iterable[str]) -> bool:
    """Whether a document with these index terms satisfies the query (the backends' rule)."""
    present = set(terms)
    return bool(concepts) and all(
        any(all(t in present for t in alt) for alt in concept) for concept in concepts
    )


def matching_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Merged (start, end) offsets into ``normalize(text)`` of units carrying any of ``terms``."""
    wanted = set(terms)
    spans: list[tuple[int, int]] = []
    for unit in units(text):
        if wanted.isdisjoint(unit.terms):
            continue
        if spans and unit.start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], unit.end))
        else:
            spans.append((unit.start, unit.end))
    return spans
