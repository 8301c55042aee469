"""Tasks round-trip through a real Celery worker process: no eager mode, no mocks.

Each broker gets its own worker subprocess. The producer is a second subprocess with
the same environment, so both sides read their Celery configuration from the real
settings module exactly as the demo and production do. Every worker has its own
broker folders (filesystem) or its own queue and node name (Redis), so parallel
pytest-xdist workers never take each other's messages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.worker

BASE_DIR = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")
REDIS_TEST_DB = 15  # away from the database the suite and the demo use
TASK_TIMEOUT = 60  # seconds to wait for one task result
PRODUCER_TIMEOUT = 2 * TASK_TIMEOUT + 30  # a ping, maybe an inspect, and start-up

# Runs in the producer subprocess. Publishing through hybridmd.config.celery means the
# producer is configured by the same settings, and so the same broker, as the worker.
PRODUCER = """
import json, sys
from hybridmd.config.celery import app, ping

action, value, node, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
reply = ping.delay(value).get(timeout=timeout)
if action == "registered":
    # The ping above proves the worker is consuming, so its control queue is bound.
    reply = app.control.inspect(destination=[node], timeout=timeout, limit=1).registered() or {}
print(json.dumps(reply))
"""


@dataclass(frozen=True)
class Worker:
    broker: str
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    node: str
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def produce(self, action: str, value: str) -> object:
        """Run the producer subprocess and return what it printed as JSON."""
        assert self.process.poll() is None, f"worker exited early:\n{self.log_tail()}"
        done = subprocess.run(
            [sys.executable, "-c", PRODUCER, action, value, self.node, str(TASK_TIMEOUT)],
            env=self.env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=PRODUCER_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, (
            f"producer failed:\n{done.stderr[-4000:]}\n--- worker log ---\n{self.log_tail()}"
        )
        return json.loads(done.stdout.strip().splitlines()[-1])


def _redis_test_url() -> str:
    """REDIS_URL with its database number replaced by the one reserved for these tests."""
    parts = urlsplit(os.environ["REDIS_URL"])
    return parts._replace(path=f"/{REDIS_TEST_DB}", query="").geturl()


def _base_env(var_dir: Path) -> dict[str, str]:
    """The caller's environment without anything that would steer Django or Celery."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "HYBRIDMD_", "DJANGO_"))
        and key not in {"REDIS_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="hybridmd.config.settings",
        HYBRIDMD_ENV="development",
        HYBRIDMD_VAR_DIR=str(var_dir),
        PYTHONUNBUFFERED="1",
    )
    return env


def _broker_env(broker: str, var_dir: Path, queue: str) -> dict[str, str]:
    env = _base_env(var_dir)
    if broker == "filesystem":
        env.update(
            REDIS_URL="",
            CELERY_BROKER_URL="filesystem://",
            CELERY_BROKER_DIR=str(var_dir / "broker"),
            CELERY_RESULT_BACKEND=(var_dir / "results").as_uri(),
        )
    else:
        env.update(REDIS_URL=_redis_test_url())
    env["CELERY_TASK_DEFAULT_QUEUE"] = queue
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Warm shutdown first; kill if the worker does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _forget_redis_queue(url: str, queue: str) -> None:
    """Drop the queue's keys so DB 15 does not collect one binding per test run."""
    import redis  # noqa: PLC0415 -- only needed when Redis is in use

    client = redis.Redis.from_url(url)
    try:
        client.delete(queue, f"_kombu.binding.{queue}")
    finally:
        client.close()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("filesystem"),
        pytest.param(
            "redis",
            marks=pytest.mark.skipif(
                not os.environ.get("REDIS_URL"),
                reason="REDIS_URL is not set: no Redis server to run a worker against",
            ),
        ),
    ],
)
def worker(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    broker: str = request.param
    var_dir = tmp_path_factory.mktemp(f"worker-{broker}")
    queue = f"hybridmd-test-{uuid.uuid4().hex[:12]}"
    node = f"{queue}@hybridmd-test"
    env = _broker_env(broker, var_dir, queue)
    log = var_dir / "worker.log"
    command = [
        str(CELERY),
        "-A",
        "hybridmd.config",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-l",
        "INFO",
        "-n",
        node,
        "-Q",
        queue,
        # No chatter with other workers on the same broker; it also starts faster.
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, env=env, cwd=BASE_DIR, stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        yield Worker(broker=broker, process=process, env=env, node=node, log=log)
    finally:
        _stop(process)
        if broker == "redis":
            _forget_redis_queue(env["REDIS_URL"], queue)


def test_ping_round_trips_through_the_worker_process(worker: Worker) -> None:
    value = f"hello {worker.broker} 안녕"
    reply = worker.produce("ping", value)
    assert reply == {"echo": value, "worker_pid": worker.process.pid}, worker.log_tail()


def test_worker_registers_the_account_tasks(worker: Worker) -> None:
    reply = worker.produce("registered", "registered")
    assert isinstance(reply, dict), reply
    assert list(reply) == [worker.node], reply
    registered = reply[worker.node]
    assert "accounts.verification_decision_notify" in registered
    assert "hybridmd.ping" in registered
