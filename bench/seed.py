"""Bulk seeding of the benchmark dataset: members, posts, comments and one long thread.

Rows are written in bulk, bypassing the services (no audit records, no notifications,
no per-item search indexing): ``COPY`` on PostgreSQL, ``bulk_create`` in batches of
5,000 elsewhere (SQLite in the test suite). Primary keys are assigned here so that
comments can point at their posts without reading ids back; sequences are reset after.

Members are verified physicians holding the roles licence approval grants
(``physician``, plus ``specialist`` when they have a specialty). The designated
question (``QUESTION_PUBLIC_ID``) is an anonymous 임상 Q&A question with exactly
``Sizes.answers`` answers and ``Sizes.question_comments`` of the comments.

``ensure_seeded`` is idempotent: a dataset whose marker question exists and whose
counts match is left alone. Everything is written in one transaction, so a failed
run leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from io import StringIO
from itertools import chain, islice
from typing import Any

from django.apps import apps
from django.core.management import call_command, get_commands
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from bench import corpus
from hybridmd.accounts.models import Membership, PhysicianProfile, Role, Specialty, User
from hybridmd.community.models import Answer, Board, Comment, Post, Tag
from hybridmd.community.rendering import render_markdown

EMAIL_DOMAIN = "bench.hybridmd.kr"
READER_EMAIL = f"reader@{EMAIL_DOMAIN}"
QUESTION_PUBLIC_ID = uuid.UUID("b3c0e5a1-7e57-4b3c-8d00-000000000050")
QUESTION_TITLE = "58세 남자, 운동 시 흉통과 발작성 심방세동: 관상동맥 CT와 항응고제 중 무엇을 먼저?"
QUESTION_BODY = (
    "58세 남자, 고혈압·당뇨로 외래 추적 중. 3주 전부터 계단 오를 때 흉통(5분 이내 소실), "
    "Holter에서 발작성 심방세동이 확인되었습니다.\n\n"
    "- 안정시 심전도: 정상동리듬, ST 변화 없음\n- hs-troponin I 음성\n"
    "- CHA2DS2-VASc 3점, eGFR 62\n\n"
    "관상동맥 CT를 먼저 의뢰할지, 항응고제를 먼저 시작할지 선생님들 의견을 구합니다."
)
SEARCH_TERM = "심방세동"  # a Korean clinical term present in a few per cent of the posts
LICENCE_BASE = 800_000  # licence numbers 800000..999999: clear of the test factories
BATCH = 5_000
RNG_SEED = 2026

BOARD_WEIGHTS = {
    "qna": 35, "cases": 12, "papers": 8, "drugs": 8, "consult": 5,
    "jobs": 4, "events": 3, "news": 7, "free": 18,
}  # fmt: skip
CLINICAL_BOARDS = frozenset({"qna", "cases", "papers", "drugs"})
ANONYMOUS_SHARE = 0.30  # of posts on boards that allow anonymity: about 20% of all posts
SPECIALIST_SHARE = 0.85
TAGGED_SHARE = 0.4  # of clinical posts
REPLY_SHARE = 0.2  # of comments: replies to an earlier comment
ASKER_COMMENT_SHARE = 0.15  # of comments on an anonymous post: the asker, shown as 질문자
HISTORY_DAYS = 730


@dataclass(frozen=True)
class Sizes:
    members: int = 10_000
    posts: int = 100_000
    comments: int = 300_000
    answers: int = 50  # on the designated question
    question_comments: int = 20  # of ``comments``, on the designated question

    def __post_init__(self) -> None:
        if not 2 <= self.members < 1_000_000 - LICENCE_BASE:
            raise ValueError("members must be between 2 and 199,999")
        if self.posts < 1 or self.answers < 0:
            raise ValueError("at least one post, and no negative counts")
        if not 0 <= self.question_comments <= self.comments:
            raise ValueError("question_comments must be part of comments")
        if self.posts == 1 and self.question_comments != self.comments:
            raise ValueError("with one post every comment is on the question")


FULL = Sizes()


@dataclass(frozen=True)
class Counts:
    members: int
    posts: int
    comments: int
    question_answers: int

    @classmethod
    def expected(cls, sizes: Sizes) -> Counts:
        return cls(sizes.members, sizes.posts, sizes.comments, sizes.answers)


@dataclass
class SeedResult:
    seeded: bool  # False when the dataset was already there
    seconds: float = 0.0  # writing the rows (0 when skipped)
    reindex_seconds: float | None = None  # None when the search index was not rebuilt
    search_entries: int | None = None  # None when search is not installed
    question_public_id: uuid.UUID = QUESTION_PUBLIC_ID


class SeedMismatchError(RuntimeError):
    """The database holds a different or partial benchmark dataset."""


@dataclass(frozen=True)
class Member:
    user_id: int
    specialty_id: int | None


@dataclass
class _PostInfo:
    """What comments need to know about each post (kept while posts stream to the DB)."""

    ids: list[int] = field(default_factory=list)
    authors: list[int] = field(default_factory=list)
    created: list[datetime] = field(default_factory=list)
    anonymous: list[bool] = field(default_factory=list)
    tag_rows: list[dict[str, Any]] = field(default_factory=list)


# --- Writing rows --------------------------------------------------------------


def _next_id(model: type[models.Model]) -> int:
    top = model._default_manager.aggregate(top=Max("pk"))["top"]
    return int(top or 0) + 1


def _copy(model: type[models.Model], columns: list[str], rows: Iterator[list[Any]]) -> int:
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    count = 0
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """Insert rows given as ``{attname: value}``; missing fields take their defaults.

    Every row must name the same fields as the first. Unique non-null fields must be
    given (a default such as ``uuid4`` would be computed once for all rows).
    """
    stream = iter(rows)
    first = next(stream, None)
    if first is None:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in first]
    missing_unique = [
        f.attname for f in fields if f.unique and not f.null and f.attname not in first
    ]
    if missing_unique:
        raise ValueError(f"{model.__name__} rows must give unique fields {missing_unique}")
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in first}
    attnames = [f.attname for f in fields]
    complete = ({**defaults, **row} for row in chain([first], stream))
    if connection.vendor == "postgresql":
        columns = [str(f.column) for f in fields]
        return _copy(model, columns, ([row[a] for a in attnames] for row in complete))
    count = 0
    while batch := [model(**row) for row in islice(complete, BATCH)]:
        model._default_manager.bulk_create(batch, batch_size=BATCH)
        count += len(batch)
    return count


def _reset_sequences(*seeded: type[models.Model]) -> None:
    """PostgreSQL sequences do not advance for explicit ids; SQLite needs nothing."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(seeded))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@lru_cache(maxsize=4096)
def _html(text: str) -> str:
    return render_markdown(text)


# --- Members -------------------------------------------------------------------


def seed_members(count: int, rng: random.Random, now: datetime) -> list[Member]:
    """Verified physicians; the first is the benchmark reader (심장내과, ``READER_EMAIL``)."""
    roles = dict(
        Role.objects.filter(code__in=("physician", "specialist")).values_list("code", "pk")
    )
    specialty_ids = list(Specialty.objects.order_by("pk").values_list("pk", flat=True))
    cardiology = Specialty.objects.get(code="IM-CARD").pk
    first_id = _next_id(User)
    members: list[Member] = []
    users: list[dict[str, Any]] = []
    profiles: list[dict[str, Any]] = []
    memberships: list[dict[str, Any]] = []
    for i in range(count):
        user_id = first_id + i
        if i == 0:
            specialty_id: int | None = cardiology
        elif rng.random() < SPECIALIST_SHARE:
            specialty_id = rng.choice(specialty_ids)
        else:
            specialty_id = None  # general practitioner (일반의)
        joined = now - timedelta(days=rng.uniform(30, 1500))
        approved = joined + timedelta(days=1)
        users.append(
            {
                "id": user_id,
                "email": READER_EMAIL if i == 0 else f"member{i:06d}@{EMAIL_DOMAIN}",
                "full_name": corpus.person_name(rng),
                "password": "!bench-no-password",  # unusable: benchmark sessions are minted
                "language": "ko",
                "date_joined": joined,
            }
        )
        profiles.append(
            {
                "user_id": user_id,
                "licence_number": str(LICENCE_BASE + i),
                "specialty_id": specialty_id,
                "workplace_name": rng.choice(corpus.HOSPITALS),
                "proof": "bench/proof.png",  # never read: no file is written
                "proof_content_type": "image/png",
                "proof_sha256": hashlib.sha256(f"bench-proof-{i}".encode()).hexdigest(),
                "status": PhysicianProfile.Status.APPROVED,
                "submitted_at": joined,
                "reviewed_at": approved,
            }
        )
        memberships.append(
            {"user_id": user_id, "role_id": roles["physician"], "granted_at": approved}
        )
        if specialty_id is not None:
            memberships.append(
                {"user_id": user_id, "role_id": roles["specialist"], "granted_at": approved}
            )
        members.append(Member(user_id, specialty_id))
    insert_rows(User, users)
    insert_rows(PhysicianProfile, profiles)
    insert_rows(Membership, memberships)
    return members


# --- Posts, answers, comments --------------------------------------------------


def _comment_counts(sizes: Sizes, rng: random.Random) -> list[int]:
    """Comments per post, skewed (most threads quiet, a few busy); the question last."""
    counts = [0] * sizes.posts
    counts[-1] = sizes.question_comments
    others = sizes.posts - 1
    if others:
        weights = [rng.expovariate(1.0) ** 2 for _ in range(others)]
        for index in rng.choices(range(others), weights=weights, k=sizes.comments - counts[-1]):
            counts[index] += 1
    return counts


def _post_rows(
    *, sizes: Sizes, members: list[Member], counts: list[int], rng: random.Random, now: datetime,
    info: _PostInfo,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Post rows, streamed; fills ``info`` (ids, authors, dates, tags) on the way."""
    boards = {b.slug: b for b in Board.objects.all()}
    slugs = list(boards)
    weights = [BOARD_WEIGHTS.get(slug, 5) for slug in slugs]
    specialty_ids = list(Specialty.objects.order_by("pk").values_list("pk", flat=True))
    tag_ids = [Tag.objects.get_or_create(name=name)[0].pk for name in corpus.TAGS]
    question_author = next((m for m in members[1:] if m.specialty_id is None), members[-1])
    first_id = _next_id(Post)
    for i in range(sizes.posts):
        post_id = first_id + i
        is_question = i == sizes.posts - 1
        slug = "qna" if is_question else rng.choices(slugs, weights)[0]
        board = boards[slug]
        author = question_author if is_question else rng.choice(members)
        created = now - timedelta(hours=2) if is_question else now - timedelta(
            seconds=rng.uniform(3600, HISTORY_DAYS * 86400)
        )  # fmt: skip
        anonymous = board.allows_anonymous and (is_question or rng.random() < ANONYMOUS_SHARE)
        text, job_location = corpus.post_text(slug, rng)
        title, body = (QUESTION_TITLE, QUESTION_BODY) if is_question else (text.title, text.body)
        specialty_id = None
        if slug in CLINICAL_BOARDS:
            specialty_id = author.specialty_id or rng.choice(specialty_ids)
            if rng.random() < TAGGED_SHARE:
                info.tag_rows += [
                    {"post_id": post_id, "tag_id": tag} for tag in rng.sample(tag_ids, 2)
                ][: rng.randint(1, 2)]
        starts = created + timedelta(days=rng.randint(7, 60)) if slug == "events" else None
        info.ids.append(post_id)
        info.authors.append(author.user_id)
        info.created.append(created)
        info.anonymous.append(anonymous)
        yield {
            "id": post_id,
            "public_id": QUESTION_PUBLIC_ID if is_question else uuid.UUID(int=rng.getrandbits(128)),
            "board_id": board.pk,
            "author_id": author.user_id,
            "is_anonymous": anonymous,
            "title": title,
            "body": body,
            "body_html": render_markdown(body),
            "specialty_id": specialty_id,
            "answer_count": sizes.answers if is_question else 0,
            "comment_count": counts[i],
            "score": int(rng.expovariate(0.5)),
            "status": "visible",
            "created_at": created,
            "updated_at": created,
            "event_starts_at": starts,
            "event_ends_at": starts + timedelta(hours=2) if starts else None,
            "event_url": f"https://symposium.example.kr/live/{post_id}" if starts else "",
            "job_location": job_location,
        }


def _seed_answers(
    sizes: Sizes, members: list[Member], info: _PostInfo, rng: random.Random, now: datetime
) -> list[int]:
    """The designated question's answers, by distinct specialists; the first is accepted."""
    if not sizes.answers:
        return []
    question_id, asker = info.ids[-1], info.authors[-1]
    candidates = [m.user_id for m in members if m.specialty_id and m.user_id != asker]
    if len(candidates) < sizes.answers:
        candidates = [m.user_id for m in members if m.user_id != asker]
    authors = rng.sample(candidates, min(sizes.answers, len(candidates)))
    authors += [rng.choice(candidates) for _ in range(sizes.answers - len(authors))]
    first_id = _next_id(Answer)
    start = info.created[-1]
    rows: list[dict[str, Any]] = []
    for n, author in enumerate(authors):
        body = corpus.answer_text(rng, rng.choice(("흉통", "심방세동", "심근경색")))
        created = min(start + timedelta(minutes=1 + n), now)
        rows.append(
            {
                "id": first_id + n,
                "post_id": question_id,
                "author_id": author,
                "body": body,
                "body_html": _html(body),
                "score": rng.randint(0, 12),
                "status": "visible",
                "created_at": created,
                "updated_at": created,
            }
        )
    insert_rows(Answer, rows)
    Post.objects.filter(pk=question_id).update(
        accepted_answer_id=first_id, first_answer_at=rows[0]["created_at"]
    )
    return [row["id"] for row in rows]


def _comment_rows(
    *, counts: list[int], members: list[Member], info: _PostInfo, answer_ids: list[int],
    rng: random.Random, now: datetime,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Comments thread by thread; replies nest one level, as the app allows."""
    next_id = _next_id(Comment)
    last = len(counts) - 1
    for index, count in enumerate(counts):
        if not count:
            continue
        post_id, created = info.ids[index], info.created[index]
        top_level: list[tuple[int, int | None]] = []  # (comment id, answer id)
        for _ in range(count):
            created = min(created + timedelta(minutes=rng.uniform(5, 240)), now)
            parent_id: int | None = None
            answer_id: int | None = None
            if top_level and rng.random() < REPLY_SHARE:
                parent_id, answer_id = rng.choice(top_level)
            elif index == last and answer_ids and rng.random() < 0.5:
                answer_id = rng.choice(answer_ids)
            if info.anonymous[index] and rng.random() < ASKER_COMMENT_SHARE:
                author = info.authors[index]
            else:
                author = rng.choice(members).user_id
            body = rng.choice(corpus.COMMENTS)
            if parent_id is None:
                top_level.append((next_id, answer_id))
            yield {
                "id": next_id,
                "post_id": post_id,
                "answer_id": answer_id,
                "parent_id": parent_id,
                "author_id": author,
                "body": body,
                "body_html": _html(body),
                "status": "visible",
                "created_at": created,
                "updated_at": created,
            }
            next_id += 1


@transaction.atomic
def seed(sizes: Sizes = FULL, *, rng_seed: int = RNG_SEED) -> None:
    """Write the whole dataset in one transaction (no check: see ``ensure_seeded``)."""
    rng = random.Random(rng_seed)  # noqa: S311 -- reproducible data, not secrets
    now = timezone.now()
    members = seed_members(sizes.members, rng, now)
    counts = _comment_counts(sizes, rng)
    info = _PostInfo()
    insert_rows(
        Post,
        _post_rows(sizes=sizes, members=members, counts=counts, rng=rng, now=now, info=info),
    )
    insert_rows(Post.tags.through, info.tag_rows)
    answer_ids = _seed_answers(sizes, members, info, rng, now)
    insert_rows(
        Comment,
        _comment_rows(
            counts=counts, members=members, info=info, answer_ids=answer_ids, rng=rng, now=now
        ),
    )
    _reset_sequences(User, Post, Answer, Comment)


# --- Checking, indexing --------------------------------------------------------


def dataset_counts() -> Counts:
    bench_author = {"author__email__endswith": f"@{EMAIL_DOMAIN}"}
    return Counts(
        members=User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count(),
        posts=Post.objects.filter(**bench_author).count(),
        comments=Comment.objects.filter(**bench_author).count(),
        question_answers=Answer.objects.filter(post__public_id=QUESTION_PUBLIC_ID).count(),
    )


def search_available() -> bool:
    return "search_reindex" in get_commands()


def search_entry_count() -> int | None:
    try:
        entry = apps.get_model("community", "SearchEntry")
    except LookupError:
        return None
    return int(entry._default_manager.count())


def reindex_search() -> tuple[float, int | None]:
    """Run ``search_reindex``; returns (seconds, index rows)."""
    started = time.perf_counter()
    call_command("search_reindex", stdout=StringIO())
    return time.perf_counter() - started, search_entry_count()


def ensure_seeded(sizes: Sizes = FULL, *, reindex: bool = True) -> SeedResult:
    """Seed unless this dataset is already there; rebuild the search index when needed."""
    if Post.objects.filter(public_id=QUESTION_PUBLIC_ID).exists():
        found, expected = dataset_counts(), Counts.expected(sizes)
        if found != expected:
            raise SeedMismatchError(
                f"the database holds a different benchmark dataset ({found}, expected "
                f"{expected}); reset it (python -m bench.run --reset) or use another database"
            )
        result = SeedResult(seeded=False)
    else:
        if User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists():
            raise SeedMismatchError("benchmark members exist but the marker question does not")
        started = time.perf_counter()
        seed(sizes)
        result = SeedResult(seeded=True, seconds=time.perf_counter() - started)
    result.search_entries = search_entry_count() if search_available() else None
    if reindex and search_available() and (result.seeded or not result.search_entries):
        result.reindex_seconds, result.search_entries = reindex_search()
    return result
