"""``python -m bench.run``: seed if needed, serve with gunicorn, load the pages, report.

One command does the whole benchmark (``make bench``):

1. makes sure PostgreSQL answers and the ``hybridmd_bench`` database exists, migrates
   it and seeds it (``bench.seed``; skipped when the dataset is already there);
2. mints a session for the benchmark reader, a verified physician;
3. profiles each page in-process (SQL queries, SQL time, template share);
4. starts gunicorn (``bench.wsgi``, gthread, 2 workers x 4 threads) on a free port of
   127.0.0.1 and loads every page with 16 closed-loop keep-alive clients, the pages
   interleaved over several rounds so that they are measured side by side;
5. checks the targets, writes the figures between the markers of docs/BENCHMARKS.md
   and prints them. gunicorn is stopped at the end, whatever happens.

Exit status 0, or 1 with ``--strict`` when a target is missed or a page could not run.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import platform
import pstats
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import django

# An entry point: Django is set up on import, with the benchmark's settings.
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
django.setup()

import http.client  # noqa: E402
from importlib import import_module  # noqa: E402

import environ  # noqa: E402
import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402
from psycopg import sql  # noqa: E402

from bench import load, seed  # noqa: E402
from bench.machine import cpu_model, git_revision, ram_gib  # noqa: E402
from bench.settings import BENCH_DATABASE_URL  # noqa: E402
from hybridmd.accounts.models import User  # noqa: E402
from hybridmd.community.models import Answer, Board, Comment, Post, Tag  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
STATE_DIR = ROOT / "var" / "bench"
START_MARKER = "<!-- community-bench:start -->"
END_MARKER = "<!-- community-bench:end -->"
RATIO_TARGET = 3.0  # each page's p95 within 3x the bare view's p95
SEARCH_P95_TARGET_MS = 50.0


# --- Database and services -------------------------------------------------------


def _database_config() -> dict[str, Any]:
    config: dict[str, Any] = environ.Env.db_url_config(BENCH_DATABASE_URL)
    if "postgresql" not in str(config["ENGINE"]):
        raise SystemExit(f"bench: BENCH_DATABASE_URL must name a PostgreSQL database: {config}")
    return config


def _connect(config: dict[str, Any], dbname: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=config.get("HOST") or "127.0.0.1",
        port=int(config.get("PORT") or 5432),
        user=config.get("USER") or "postgres",
        password=config.get("PASSWORD") or None,
        dbname=dbname,
        autocommit=True,
        connect_timeout=5,
    )


def ensure_database(*, reset: bool) -> str:
    """Start local services if PostgreSQL is down; create (or re-create) the database."""
    config = _database_config()
    name = str(config["NAME"])
    try:
        admin = _connect(config, "postgres")
    except psycopg.OperationalError:
        script = ROOT / "scripts" / "services-up.sh"
        if config.get("HOST") not in {"127.0.0.1", "localhost", ""} or not script.exists():
            raise
        print("bench: PostgreSQL does not answer; starting the local services")
        subprocess.run([str(script)], check=True, cwd=ROOT)  # noqa: S603
        admin = _connect(config, "postgres")
    with admin:
        if reset:
            if "bench" not in name:
                raise SystemExit(f"bench: refusing to drop {name!r}: not a benchmark database")
            print(f"bench: dropping database {name}")
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            _state_path(name).unlink(missing_ok=True)
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"bench: creating database {name}")
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def _state_path(database: str) -> Path:
    return STATE_DIR / f"{database}.json"


def sizes_for(scale: float) -> seed.Sizes:
    """The full dataset, or a fraction of it (the designated question stays the same)."""
    full = seed.FULL
    return seed.Sizes(
        members=max(full.answers + 2, round(full.members * scale)),
        posts=max(2, round(full.posts * scale)),
        comments=max(full.question_comments, round(full.comments * scale)),
        answers=full.answers,
        question_comments=full.question_comments,
    )


def prepare(*, reset: bool, sizes: seed.Sizes, reindex: bool = False) -> dict[str, Any]:
    """Database, migrations, dataset, search index, statistics. Returns the seed record."""
    database = ensure_database(reset=reset)
    print("bench: migrating")
    call_command("migrate", interactive=False, verbosity=0)
    print("bench: seeding (skipped when the dataset is already there)")
    before = _cpu_snapshot()
    result = seed.ensure_seeded(sizes)
    if reindex and not result.seeded and seed.search_available():
        print("bench: rebuilding the search index (--reindex)")
        result.reindex_seconds, result.search_entries = seed.reindex_search()
    busy_elsewhere = other_share(before, _cpu_snapshot())
    state_file = _state_path(database)
    state: dict[str, Any] = json.loads(state_file.read_text()) if state_file.exists() else {}
    if result.seeded:
        state = {"seed_seconds": result.seconds, "seeded_at": _now()}
        print(f"bench: seeded in {result.seconds:.1f} s")
    if result.reindex_seconds is not None:
        state["reindex_seconds"] = result.reindex_seconds
        print(f"bench: search index rebuilt in {result.reindex_seconds:.1f} s")
    if result.seeded or result.reindex_seconds is not None:
        state["other_load"] = busy_elsewhere
        with connection.cursor() as cursor:  # fresh statistics and visibility map
            cursor.execute("VACUUM ANALYZE")
    state["search_entries"] = result.search_entries
    state["sizes"] = asdict(sizes)
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(state, indent=2))
    return state


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


# --- Session and pages ------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str
    signed_in: bool = True
    target: str = "ratio"  # "ratio", "ratio+search" or "" (reference rows)


def mint_session() -> tuple[str, str]:
    """A signed-in session for the benchmark reader: (cookie header value, session key)."""
    reader = User.objects.get(email=seed.READER_EMAIL)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(reader.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = reader.get_session_auth_hash()
    store.save()
    key = str(store.session_key)
    return f"{settings.SESSION_COOKIE_NAME}={key}", key


def drop_session(key: str) -> None:
    import_module(settings.SESSION_ENGINE).SessionStore(session_key=key).delete()


def pages(query: str) -> list[Page]:
    return [
        Page("hello-anon", "bare view, no session (reference)", "/bench/hello/", False, ""),
        Page("hello", "bare view, signed in (baseline)", "/bench/hello/", True, ""),
        Page("board", "board list, 임상 Q&A", "/community/b/qna/"),
        Page(
            "thread",
            f"question with {seed.FULL.answers} answers",
            f"/community/p/{seed.QUESTION_PUBLIC_ID}/",
        ),
        Page(
            "search",
            f"search “{query}”",
            "/community/search/?" + urllib.parse.urlencode({"q": query}),
            target="ratio+search",
        ),
    ]


def search_routed() -> bool:
    try:
        resolve("/community/search/")
    except Resolver404:
        return False
    return True


# --- In-process profile -----------------------------------------------------------


@dataclass
class Profile:
    queries: int = 0
    sql_ms: float = 0.0  # median per request
    total_ms: float = 0.0  # median per request, one request at a time, in-process
    shares: dict[str, float] = field(default_factory=dict)  # cProfile self time by area
    kilobytes: float = 0.0
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (ms, SQL) worst first


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


AREAS = (  # (area, path fragments of the functions whose self time counts for it)
    ("templates", ("/django/template/", "/templatetags/", "/django/utils/html.py")),
    ("ORM", ("/django/db/models/", "/django/db/backends/", "/django/db/utils.py")),
    ("DB driver", ("/psycopg/", "/psycopg_binary/", "psycopg")),
    ("i18n", ("/django/utils/translation/", "/gettext.py")),
)


def _shares(profiler: cProfile.Profile, dump: Path) -> dict[str, float]:
    """Self time by area, as shares of all profiled time; the top functions go to ``dump``."""
    stats: Any = pstats.Stats(profiler)
    totals = dict.fromkeys([area for area, _ in AREAS], 0.0)
    everything = 0.0
    for (filename, _line, _name), entry in stats.stats.items():
        self_time = float(entry[2])
        everything += self_time
        for area, fragments in AREAS:
            if any(fragment in filename for fragment in fragments):
                totals[area] += self_time
                break
    dump.parent.mkdir(parents=True, exist_ok=True)
    with dump.open("w") as out:
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(40)
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
    return {area: total / everything for area, total in totals.items()} if everything else {}


def profile_page(name: str, path: str, session_key: str | None, *, repeat: int = 30) -> Profile:
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="ko")
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    for _ in range(3):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code} in-process")
    timings: list[tuple[float, str]] = []

    def timed(execute: Callable[..., Any], query: str, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(query, *args)
        finally:
            timings.append(((time.perf_counter() - started) * 1000, query))

    totals: list[float] = []
    sql_totals: list[float] = []
    worst: dict[str, float] = {}
    with connection.execute_wrapper(timed):
        for _ in range(repeat):
            timings.clear()
            started = time.perf_counter()
            response = client.get(path)
            totals.append((time.perf_counter() - started) * 1000)
            sql_totals.append(sum(ms for ms, _ in timings))
            for ms, query in timings:
                worst[query] = max(ms, worst.get(query, 0.0))
    queries = len(timings)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        client.get(path)
    profiler.disable()
    shares = _shares(profiler, STATE_DIR / f"profile-{name}.txt")
    slowest = sorted(((ms, q) for q, ms in worst.items()), reverse=True)[:3]
    return Profile(
        queries=queries,
        sql_ms=_median(sql_totals),
        total_ms=_median(totals),
        shares=shares,
        kilobytes=len(response.content) / 1024,
        slowest=slowest,
    )


def search_function_ms(query: str, *, repeat: int = 50) -> tuple[float, float, int] | None:
    """``community.search.search()`` alone, in-process, sequential: (p50, p95, total)."""
    try:
        from hybridmd.community.search import search  # noqa: PLC0415 -- optional: lands separately
    except ImportError:
        return None
    reader = User.objects.get(email=seed.READER_EMAIL)
    page = search(reader, query)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        search(reader, query)
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 0.50), percentile(samples, 0.95), page.total


# --- Server and CPU ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(port: int, *, workers: int, threads: int, log: Path) -> Iterator[int]:
    """gunicorn serving ``bench.wsgi`` on 127.0.0.1:port; yields the master's pid."""
    binary = Path(sys.executable).parent / "gunicorn"
    if not binary.exists():
        raise SystemExit(f"bench: {binary} is missing; install the dev extras (make install)")
    command = [
        str(binary), "bench.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads),
        "--log-level", "warning", "--error-logfile", str(log),
    ]  # fmt: skip
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while not _answers(port, "/bench/hello/"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench: gunicorn did not start; see {log}")
            time.sleep(0.2)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _get(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _answers(port: int, path: str) -> bool:
    try:
        return _get(port, path)[0] == 200
    except OSError:
        return False


def _processes() -> Iterator[tuple[int, str, int, int]]:
    """(pid, command name, parent pid, utime + stime ticks) of every process."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        head, tail = stat.rsplit(")", 1)
        fields = tail.split()
        yield (
            int(entry.name),
            head.split("(", 1)[1],
            int(fields[1]),
            int(fields[11]) + int(fields[12]),
        )


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal
    idle = values[3] + values[4]
    return total - idle, total


Snapshot = tuple[int, int, dict[int, int]]


def _cpu_snapshot() -> Snapshot:
    """Machine (busy, total) ticks, and the ticks of this process, its children, PostgreSQL."""
    me = os.getpid()
    ours = {
        pid: ticks
        for pid, name, parent, ticks in _processes()
        if me in {pid, parent} or name == "postgres"
    }
    return (*_machine_ticks(), ours)


def other_share(before: Snapshot, after: Snapshot) -> float:
    """Share of the machine that other work took between two snapshots."""
    busy, total = after[0] - before[0], after[1] - before[1]
    ours = sum(t - before[2][pid] for pid, t in after[2].items() if pid in before[2])
    return max(0, busy - ours) / total if total else 0.0


def busy_share(seconds: float = 3.0) -> float:
    """How busy the whole machine is (0..1) over the next ``seconds``."""
    busy0, total0 = _machine_ticks()
    time.sleep(seconds)
    busy1, total1 = _machine_ticks()
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0


def wait_for_quiet(limit: float, threshold: float = 0.15) -> float:
    """Wait (up to ``limit`` s) until other work leaves the machine; returns the busy share."""
    deadline = time.monotonic() + limit
    while True:
        busy = busy_share()
        if busy <= threshold or time.monotonic() >= deadline:
            return busy
        print(f"bench: the machine is {busy:.0%} busy with other work; waiting for it to settle")


@dataclass
class Cpu:
    """CPU seconds over the measured windows, by who used them, and the machine's capacity."""

    busy: float = 0.0  # the whole machine
    server: float = 0.0  # gunicorn master and workers
    postgres: float = 0.0  # every PostgreSQL process (other databases' backends too)
    client: float = 0.0  # this process and its children: the load generator
    others: dict[str, float] = field(default_factory=dict)  # other processes, by name
    capacity: float = 0.0  # wall x cores

    def merge(self, other: Cpu) -> None:
        self.busy += other.busy
        self.server += other.server
        self.postgres += other.postgres
        self.client += other.client
        self.capacity += other.capacity
        for name, seconds in other.others.items():
            self.others[name] = self.others.get(name, 0.0) + seconds

    @property
    def other(self) -> float:
        return sum(self.others.values())

    @property
    def kernel(self) -> float:
        """Busy time no process was charged for: interrupts, loopback networking, exits."""
        return max(0.0, self.busy - self.server - self.postgres - self.client - self.other)


class CpuMonitor(threading.Thread):
    """Samples /proc at the start and the end of one measured window."""

    def __init__(self, server_pid: int, start: float, end: float) -> None:
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.start_at, self.end_at = start, end
        self.result = Cpu()

    def _who(self, pid: int, name: str, parent: int) -> str:
        if self.server_pid in {pid, parent}:
            return "server"
        if os.getpid() in {pid, parent}:
            return "client"
        return "postgres" if name == "postgres" else f"other:{name}"

    def _sample(self) -> tuple[float, int, int, dict[int, tuple[str, int]]]:
        ticks = {pid: (self._who(pid, name, parent), t) for pid, name, parent, t in _processes()}
        busy, total = _machine_ticks()
        return time.monotonic(), busy, total, ticks

    def run(self) -> None:
        hz = os.sysconf("SC_CLK_TCK")
        time.sleep(max(0.0, self.start_at - time.monotonic()))
        t0, busy0, total0, before = self._sample()
        time.sleep(max(0.0, self.end_at - time.monotonic()))
        t1, busy1, total1, after = self._sample()
        used: dict[str, float] = {}
        for pid, (who, ticks) in after.items():
            spent = (ticks - before.get(pid, (who, 0))[1]) / hz
            used[who] = used.get(who, 0.0) + spent
        cores = round((total1 - total0) / hz / (t1 - t0)) if t1 > t0 else 1
        self.result = Cpu(
            busy=(busy1 - busy0) / hz,
            server=used.pop("server", 0.0),
            postgres=used.pop("postgres", 0.0),
            client=used.pop("client", 0.0),
            others={k.removeprefix("other:"): v for k, v in used.items() if v > 0},
            capacity=(t1 - t0) * cores,
        )


# --- Load -------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Measured:
    page: Page
    sample: load.Sample = field(default_factory=load.Sample)
    cpu: Cpu = field(default_factory=Cpu)
    seconds: float = 0.0
    skipped: str = ""

    def ms(self, q: float) -> float:
        return percentile([v / 1e6 for v in self.sample.latencies_ns], q)

    @property
    def rps(self) -> float:
        return len(self.sample.latencies_ns) / self.seconds if self.seconds else 0.0


def measure(
    targets: list[Page], *, port: int, server_pid: int, cookie: str, args: argparse.Namespace,
    skipped: dict[str, str],
) -> dict[str, Measured]:  # fmt: skip
    results = {p.key: Measured(p, skipped=skipped.get(p.key, "")) for p in targets}
    per_round = args.duration / args.rounds
    for round_index in range(args.rounds):
        for page in targets:
            if results[page.key].skipped:
                continue
            warmup = args.warmup + (args.first_warmup if round_index == 0 else 0.0)
            start_at = time.monotonic() + 1.5  # time for the client processes to start
            measure_from = start_at + warmup
            monitor = CpuMonitor(server_pid, measure_from, measure_from + per_round)
            monitor.start()
            sample = load.run(
                port=port, path=page.path, cookie=cookie if page.signed_in else "",
                clients=args.clients, processes=args.client_processes, start_at=start_at,
                warmup=warmup, duration=per_round,
            )  # fmt: skip
            monitor.join()
            result = results[page.key]
            result.sample.merge(sample)
            result.cpu.merge(monitor.result)
            result.seconds += per_round
            print(
                f"bench: round {round_index + 1}/{args.rounds} {page.key:<10} "
                f"{len(sample.latencies_ns) / per_round:8.1f} req/s "
                f"p95 {percentile([v / 1e6 for v in sample.latencies_ns], 0.95):7.1f} ms"
            )
    return results


def measure_single(
    targets: list[Page], *, port: int, cookie: str, seconds: float, skipped: dict[str, str]
) -> dict[str, Measured]:
    """Each page with one client: latency without queueing (light load)."""
    results = {p.key: Measured(p, skipped=skipped.get(p.key, "")) for p in targets}
    for page in targets:
        if page.key in skipped or seconds <= 0:
            continue
        sample = load.run(
            port=port, path=page.path, cookie=cookie if page.signed_in else "", clients=1,
            processes=1, start_at=time.monotonic() + 1.5, warmup=1.0, duration=seconds,
        )  # fmt: skip
        results[page.key].sample.merge(sample)
        results[page.key].seconds = seconds
    return results


# --- Report -----------------------------------------------------------------------


def machine() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    return {
        "Date": _now(),
        "CPU": f"{cpu_model()}, {os.cpu_count()} cores",
        "RAM": f"{ram_gib():.0f} GiB",
        "OS": f"Linux {platform.release()}",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "gunicorn": metadata.version("gunicorn"),
        "PostgreSQL": str(row[0]) if row else "unknown",
        "Code": git_revision(),
    }


def dataset(state: dict[str, Any], query: str) -> dict[str, str]:
    counts = seed.dataset_counts()
    qna = Post.objects.filter(board__slug="qna", status="visible").count()
    anonymous = Post.objects.filter(is_anonymous=True).count()
    tagged = Post.tags.through.objects.count()
    seeded = state.get("seed_seconds")
    reindex = state.get("reindex_seconds")
    entries = state.get("search_entries")
    other = state.get("other_load")
    return {
        "Members": f"{counts.members:,} verified physicians (physician role; specialist role "
        "for those with a specialty)",
        "Posts": f"{counts.posts:,} over {Board.objects.count()} boards ({qna:,} in 임상 Q&A; "
        f"{anonymous / max(counts.posts, 1):.0%} anonymous), {tagged:,} tag links, "
        f"{Tag.objects.count()} tags",
        "Comments": f"{Comment.objects.count():,} (one level of replies)",
        "Answers": f"{Answer.objects.count():,}: the {counts.question_answers} of the measured "
        "question",
        "Search index": f"{entries:,} entries" if entries else "not installed",
        "Seeding time": (f"{seeded:.1f} s (rows, COPY)" if seeded is not None else "not recorded")
        + (f" + {reindex:.1f} s search_reindex" if reindex is not None else "")
        + (f" (other work took {other:.0%} of the machine meanwhile)" if other else ""),
        "Search term": query,
    }


def _fmt(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f}"


def verdicts(results: dict[str, Measured]) -> dict[str, tuple[str, bool | None]]:
    """Per page: (what the target is, met?) — None when it could not be judged."""
    baseline = results["hello"].ms(0.95)
    out: dict[str, tuple[str, bool | None]] = {}
    for key, result in results.items():
        page = result.page
        if not page.target:
            continue
        limit = RATIO_TARGET * baseline
        text = f"≤ {RATIO_TARGET:g}× hello = {limit:.1f} ms"
        if page.target == "ratio+search":
            limit = min(limit, SEARCH_P95_TARGET_MS)
            text += f" and < {SEARCH_P95_TARGET_MS:g} ms"
        if result.skipped or not result.sample.latencies_ns:
            out[key] = (text, None)
            continue
        p95 = result.ms(0.95)
        met = p95 <= RATIO_TARGET * baseline
        if page.target == "ratio+search":
            met = met and p95 < SEARCH_P95_TARGET_MS
        if result.sample.errors or result.sample.non_200:
            met = False
        out[key] = (text, met)
    return out


def report(
    *, results: dict[str, Measured], single: dict[str, Measured], profiles: dict[str, Profile],
    info: dict[str, str],
    data: dict[str, str], args: argparse.Namespace, notes: list[str],
) -> str:  # fmt: skip
    baseline = results["hello"].ms(0.95)
    baseline_anon = results["hello-anon"].ms(0.95)
    judged = verdicts(results)
    lines = [
        f"Run with `python -m bench.run` on {info['Date']}: {args.clients} concurrent keep-alive "
        f"clients, {args.duration:g} s measured per page in {args.rounds} interleaved rounds "
        f"(after warm-up), gunicorn gthread {args.workers} workers × {args.threads} threads.",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {k} | {v} |" for k, v in info.items()),
        "",
        "| dataset | |",
        "| --- | --- |",
        *(f"| {k} | {v} |" for k, v in data.items()),
        "",
        "### Latency under load",
        "",
        "| page | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | p95 ÷ hello "
        "| p95 ÷ hello (no session) | target (p95) | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for key, result in results.items():
        page = result.page
        label = f"{page.label}<br>`{page.path}`"
        if result.skipped:
            target = judged.get(key, ("", None))[0]
            dashes = " | ".join(["–"] * 8)
            lines.append(f"| {label} | {dashes} | {target} | not run: {result.skipped} |")
            continue
        p95 = result.ms(0.95)
        text, met = judged.get(key, ("reference", None))
        verdict = "" if key not in judged else ("**met**" if met else "**missed**")
        errors = result.sample.errors + result.sample.non_200
        if errors:
            verdict += f" ({errors} errors / non-200)"
        lines.append(
            f"| {label} | {len(result.sample.latencies_ns):,} | {result.rps:.0f} "
            f"| {_fmt(result.ms(0.50))} | {_fmt(p95)} | {_fmt(result.ms(0.99))} "
            f"| {_fmt(result.ms(1.0))} | {p95 / baseline:.1f}× | {p95 / baseline_anon:.1f}× "
            f"| {text} | {verdict} |"
        )
    lines += [
        "",
        "### Where the CPU went while each page was loaded",
        "",
        "Shares of the whole machine (all cores) over the measured windows, from /proc. "
        "The load generator runs on the same cores as the server. *Kernel* is busy time "
        "charged to no process (interrupts and loopback networking, mostly); *other "
        "processes* is work that is not part of the benchmark, and should be near 0.",
        "",
        "| page | gunicorn | PostgreSQL | load generator | kernel | other processes | idle "
        "| load generator CPU per request |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results.values():
        if result.skipped or not result.cpu.capacity:
            continue
        cpu, capacity = result.cpu, result.cpu.capacity
        idle = max(0.0, capacity - cpu.busy)
        per_request = cpu.client / max(len(result.sample.latencies_ns), 1) * 1000
        top = sorted(cpu.others.items(), key=lambda item: -item[1])[:2]
        named = ", ".join(f"{name} {seconds / capacity:.0%}" for name, seconds in top)
        other = f"{cpu.other / capacity:.0%}" + (
            f" ({named})" if cpu.other / capacity >= 0.02 else ""
        )
        lines.append(
            f"| {result.page.key} | {cpu.server / capacity:.0%} | {cpu.postgres / capacity:.0%} "
            f"| {cpu.client / capacity:.0%} | {cpu.kernel / capacity:.0%} | {other} "
            f"| {idle / capacity:.0%} | {per_request:.2f} ms |"
        )
    lines += [
        "",
        f"### One client (no queueing), {args.single:g} s per page",
        "",
        "The same pages over HTTP with a single keep-alive client: the latency of a request "
        "that does not wait behind others (reference only; the targets are at 16 clients).",
        "",
        "| page | requests | req/s | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in single.values():
        if result.skipped or not result.sample.latencies_ns:
            continue
        lines.append(
            f"| {result.page.key} | {len(result.sample.latencies_ns):,} | {result.rps:.0f} "
            f"| {_fmt(result.ms(0.50))} | {_fmt(result.ms(0.95))} | {_fmt(result.ms(0.99))} |"
        )
    lines += [
        "",
        "### One request at a time, in-process (profile)",
        "",
        "Median of 30 sequential requests through Django's test client (no HTTP, no "
        "concurrency); SQL ms is the time spent executing the page's queries. The areas are "
        "shares of self time under cProfile over 10 more requests (cProfile inflates "
        "call-heavy code such as templates; the top functions are in "
        "`var/bench/profile-<page>.txt`).",
        "",
        "| page | SQL queries | SQL ms | total ms | templates | ORM | DB driver | i18n "
        "| HTML KB | slowest query |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for key, prof in profiles.items():
        slow = prof.slowest[0] if prof.slowest else (0.0, "")
        query = " ".join(slow[1].split())[:90].replace("|", "\\|")
        lines.append(
            f"| {key} | {prof.queries} | {prof.sql_ms:.1f} | {prof.total_ms:.1f} "
            + "".join(f"| {prof.shares.get(area, 0.0):.0%} " for area, _ in AREAS)
            + f"| {prof.kilobytes:.0f} | {slow[0]:.1f} ms `{query}…` |"
        )
    if notes:
        lines += ["", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    block = f"{START_MARKER}\n{section}{END_MARKER}"
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n"
    if START_MARKER in text and END_MARKER in text:
        before = text.split(START_MARKER, 1)[0]
        after = text.split(END_MARKER, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n## Latest run\n\n" + block + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)


# --- Main -------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=20.0, help="measured s per page")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up s per page and round")
    parser.add_argument("--first-warmup", type=float, default=3.0, help="extra in round 1")
    parser.add_argument(
        "--single", type=float, default=5.0, help="s per page with one client (0: skip)"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--quiet-wait", type=float, default=300.0, help="s to wait for other work to stop"
    )
    parser.add_argument("--query", default="", help="search term (default: 심방세동)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="dataset fraction for a quick try (no doc)"
    )
    parser.add_argument("--reset", action="store_true", help="drop and re-seed the database")
    parser.add_argument(
        "--reindex", action="store_true", help="rebuild the search index (search code changed)"
    )
    parser.add_argument("--seed-only", action="store_true", help="seed, then stop")
    parser.add_argument("--no-doc", action="store_true", help="print, do not write the doc")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.rounds < 1 or args.clients < 1 or not 0 < args.scale <= 1:
        parser.error("duration, rounds and clients must be positive, scale in (0, 1]")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    state = prepare(reset=args.reset, sizes=sizes_for(args.scale), reindex=args.reindex)
    if args.seed_only:
        return 0
    query = args.query or seed.SEARCH_TERM
    targets = pages(query)
    notes: list[str] = []
    skipped: dict[str, str] = {}
    if not search_routed():
        skipped["search"] = "`/community/search/` is not routed yet"
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise wants it
    background = wait_for_quiet(args.quiet_wait)
    cookie, session_key = mint_session()
    try:
        print("bench: profiling pages in-process")
        profiles = {
            p.key: profile_page(p.key, p.path, session_key if p.signed_in else None)
            for p in targets
            if p.key not in skipped and p.key != "hello-anon"
        }
        timed = search_function_ms(query)
        if timed is not None:
            notes.append(
                f"`community.search.search(user, {query!r})` alone, in-process, sequential: "
                f"p50 {timed[0]:.1f} ms, p95 {timed[1]:.1f} ms ({timed[2]:,} matching threads)."
            )
        info, data = machine(), dataset(state, query)
        info["Other load"] = f"{background:.0%} of the machine busy just before the run"
        connections.close_all()
        port = free_port()
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        log = STATE_DIR / "gunicorn.log"
        with gunicorn(port, workers=args.workers, threads=args.threads, log=log) as pid:
            for page in targets:
                if page.key in skipped:
                    continue
                status, body = _get(port, page.path, cookie if page.signed_in else "")
                if status != 200:
                    skipped[page.key] = f"answered HTTP {status}"
                elif (
                    page.key == "thread"
                    and (shown := body.decode().count('id="answer-')) != seed.FULL.answers
                ):
                    notes.append(f"The question page showed {shown} answers, not 50.")
            print(f"bench: loading pages with {args.clients} clients on 127.0.0.1:{port}")
            results = measure(
                targets, port=port, server_pid=pid, cookie=cookie, args=args, skipped=skipped
            )
            print("bench: one client at a time")
            single = measure_single(
                targets, port=port, cookie=cookie, seconds=args.single, skipped=skipped
            )
    finally:
        drop_session(session_key)
    section = report(
        results=results,
        single=single,
        profiles=profiles,
        info=info,
        data=data,
        args=args,
        notes=notes,
    )
    if args.scale != 1.0:
        print("bench: a scaled-down dataset; docs/BENCHMARKS.md left as it was")
    elif not args.no_doc:
        write_doc(section)
        print(f"bench: wrote {DOC.relative_to(ROOT)}")
    print(section)
    judged = verdicts(results)
    missed = [k for k, (_, met) in judged.items() if met is not True]
    if missed:
        print(f"bench: targets missed or not run: {', '.join(missed)}")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
