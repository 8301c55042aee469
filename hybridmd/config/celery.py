"""The Celery application.

Without ``REDIS_URL`` the broker is kombu's filesystem transport under ``var/broker``,
so the demo needs no server; with ``REDIS_URL`` the same tasks run on Redis.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hybridmd.config.settings")

app = Celery("hybridmd")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """Create the filesystem broker's folders; a no-op for other brokers."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    backend = str(app.conf.result_backend or "")
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


# Once the configuration is loaded, before any producer or worker opens the result
# backend: the file backend checks its folder as soon as it is created, which happens
# before ``before_task_publish`` would fire.
@app.on_after_configure.connect
def _on_configured(**_: Any) -> None:
    ensure_broker_folders()


@worker_init.connect
def _on_worker_init(**_: Any) -> None:
    ensure_broker_folders()


@app.task(name="hybridmd.ping")
def ping(value: str) -> dict[str, object]:
    """Echo a value with the worker's pid: proves a round trip through a real worker."""
    return {"echo": value, "worker_pid": os.getpid()}
