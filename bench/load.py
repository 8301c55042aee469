"""A closed-loop HTTP load generator: N keep-alive clients, each waiting for its answer.

No Django here: client processes are ``python -m bench.load`` and import only this module.
Clients are threads (one ``http.client`` connection each) spread over a few
processes, so the GIL of one process does not cap the request rate. The caller
reads the CPU the generator took from /proc.

Traffic goes to 127.0.0.1 only; each phase is bounded in time and stops by itself.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Phase:
    port: int
    path: str
    cookie: str  # "" for no cookie
    start_at: float  # time.monotonic() (system-wide on Linux) when the warm-up starts
    warmup: float  # seconds, not recorded
    duration: float  # seconds, recorded
    threads: int


@dataclass
class Sample:
    latencies_ns: list[int] = field(default_factory=list)
    errors: int = 0
    non_200: int = 0
    bytes_read: int = 0

    def merge(self, other: Sample) -> None:
        self.latencies_ns += other.latencies_ns
        self.errors += other.errors
        self.non_200 += other.non_200
        self.bytes_read += other.bytes_read


def _client(phase: Phase, out: Sample, lock: threading.Lock) -> None:
    headers = {"Host": f"{HOST}:{phase.port}", "Accept-Language": "ko"}
    if phase.cookie:
        headers["Cookie"] = phase.cookie
    measure_from = phase.start_at + phase.warmup
    stop_at = measure_from + phase.duration
    local = Sample()
    connection: http.client.HTTPConnection | None = None
    while (now := time.monotonic()) < phase.start_at:
        time.sleep(min(0.01, phase.start_at - now))
    while True:
        started = time.monotonic()
        if started >= stop_at:
            break
        t0 = time.perf_counter_ns()
        try:
            if connection is None:
                connection = http.client.HTTPConnection(HOST, phase.port, timeout=30)
            connection.request("GET", phase.path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            status = response.status
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException):
            if connection is not None:
                connection.close()
            connection = None
            if started >= measure_from:
                local.errors += 1
            continue
        elapsed = time.perf_counter_ns() - t0
        if started >= measure_from:
            local.latencies_ns.append(elapsed)
            local.bytes_read += len(body)
            if status != 200:
                local.non_200 += 1
    if connection is not None:
        connection.close()
    with lock:
        out.merge(local)


def _process(phase: Phase) -> Sample:
    out, lock = Sample(), threading.Lock()
    threads = [
        threading.Thread(target=_client, args=(phase, out, lock), daemon=True)
        for _ in range(phase.threads)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, phase.start_at - time.monotonic()) + phase.duration + 60)
    return out


def split(clients: int, processes: int) -> list[int]:
    """Clients per process, as even as possible: split(16, 3) == [6, 5, 5]."""
    base, extra = divmod(clients, processes)
    return [base + (1 if i < extra else 0) for i in range(processes) if base or i < extra]


def run(
    *, port: int, path: str, cookie: str, clients: int, processes: int, start_at: float,
    warmup: float, duration: float,
) -> Sample:  # fmt: skip
    """One phase: warm up from ``start_at`` (monotonic), then measure for ``duration``.

    Client processes are plain ``python -m bench.load`` children (not multiprocessing,
    which would re-import the caller's ``__main__``, Django and all); leave them about
    a second between now and ``start_at`` to start.
    """
    workers = []
    for threads in split(clients, processes):
        phase = Phase(port, path, cookie, start_at, warmup, duration, threads)
        process = subprocess.Popen(  # noqa: S603 -- this interpreter, this module
            [sys.executable, "-m", "bench.load", json.dumps(asdict(phase))],
            stdout=subprocess.PIPE,
            text=True,
        )
        workers.append(process)
    total = Sample()
    deadline = start_at + warmup + duration + 90
    for process in workers:
        try:
            output, _ = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            continue
        if process.returncode == 0 and output:
            total.merge(Sample(**json.loads(output)))
    return total


def main() -> None:
    """Child side: a Phase as JSON in argv, the Sample as JSON on stdout."""
    phase = Phase(**json.loads(sys.argv[1]))
    if time.monotonic() > phase.start_at:
        print("bench.load: started after the phase began; raise the lead time", file=sys.stderr)
    sys.stdout.write(json.dumps(asdict(_process(phase))))


if __name__ == "__main__":
    main()
