#!/usr/bin/env bash
# Serve Hybrid MD at http://127.0.0.1:8000 with a Celery worker beside it. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var

"$BIN/celery" -A hybridmd.config worker -B --schedule var/celerybeat-schedule \
  --loglevel=INFO --concurrency=1 --pool=solo \
  >var/worker.log 2>&1 &
worker=$!
cleanup() { kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
echo "Worker started (pid $worker, log var/worker.log)."
echo "Hybrid MD at http://127.0.0.1:8000 — press Ctrl-C to stop the server and the worker."
"$BIN/python" manage.py runserver 127.0.0.1:8000
