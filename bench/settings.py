"""Benchmark settings: the project's settings, production-like where it matters.

DEBUG is off (cached templates, no query log), the project's URLs sit behind a bare
``/bench/hello/`` view, and the database is a dedicated ``hybridmd_bench`` database.

The database comes from ``BENCH_DATABASE_URL``, not ``DATABASE_URL``: the README tells
developers to export ``DATABASE_URL`` for their own database, and the seeder writes
400,000 rows into whatever database these settings name.
"""

from __future__ import annotations

import os

import environ

# Development mode keeps the project's settings from demanding HTTPS and a real key;
# everything that changes behaviour under load (DEBUG, hosts) is set explicitly below.
os.environ["HYBRIDMD_ENV"] = "development"

from hybridmd.config.settings import *  # noqa: F403
from hybridmd.config.settings import DATABASES as _PROJECT_DATABASES
from hybridmd.config.settings import VAR_DIR

DEFAULT_BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hybridmd_bench"
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", DEFAULT_BENCH_DATABASE_URL)

DEBUG = False
SECRET_KEY = "bench-only-secret-key-not-for-production-" + "0" * 16
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "bench.wsgi.application"

STATIC_ROOT = VAR_DIR / "bench" / "static"  # not served: the load fetches HTML only

_database = environ.Env.db_url_config(BENCH_DATABASE_URL)
# Persistent connections, as the project configures for PostgreSQL.
_database.setdefault("CONN_MAX_AGE", _PROJECT_DATABASES["default"].get("CONN_MAX_AGE", 60))
DATABASES = {"default": _database}

# The cache is Redis, as in production (fragments, sessions, rate limits live there).
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": BENCH_REDIS_URL,
        "KEY_PREFIX": "hybridmd-bench",
    }
}
