"""The Celery application.

Without ``REDIS_URL`` the broker is kombu's filesystem transport under ``var/broker``,
so the demo needs no server; with ``REDIS_URL`` the same tasks run on Redis.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hybridmd.config.settings")

app = Celery("hybridmd")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """Create the filesystem broker's folders; a no-op for other brokers."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    backend = str(app.conf.result_backend or "")
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


@worker_init.connect
def _on_worker_init(**_: Any) -> None:
    ensure_broker_folders()


@before_task_publish.connect
def _on_publish(**_: Any) -> None:
    ensure_broker_folders()


@app.task(name="hybridmd.ping")
def ping(value: str) -> dict[str, object]:
    """Echo a value with the worker's pid: proves a round trip through a real worker."""
    return {"echo": value, "worker_pid": os.getpid()}
