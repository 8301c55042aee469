"""Test overrides: fast hashing, in-process cache, eager tasks, throwaway media."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("HYBRIDMD_ENV", "test")

from hybridmd.config.settings import *  # noqa: F403

# Argon2 is deliberately slow; the production hasher is checked in its own test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="hybridmd-media-"))
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = "cache+memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="hybridmd-static-"))
