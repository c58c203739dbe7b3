"""gunicorn settings: workers and threads from the environment, defaults for 2 cores.

The default is 2 x cores + 1 single-threaded (sync) workers, as gunicorn recommends.
Measured with `make bench` on 2 cores, they beat 2 workers x 4 threads (gthread): a
request is CPU work under one GIL, so threads of a worker only queue behind each other,
and gthread's kept-alive connections stick to whichever worker accepted them, which left
one worker busy and the other idle for whole runs. Sync workers take one request at a
time and close the connection after it, so every request goes to a free worker. Like
every sync-worker deployment, put a buffering proxy (nginx) in front when clients are
slow or remote; set GUNICORN_THREADS above 1 to get gthread workers instead.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
wsgi_app = "console.wsgi:application"


def on_starting(server):
    """Refuse to start with a root key that cannot open the stored keys: a clear error
    now rather than failures on every request."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()
    from django.db import connections

    from kms.keystore import verify_root_key

    try:
        verify_root_key()
    finally:
        connections.close_all()


def post_fork(server, worker):
    """A worker's threads share one GIL. A thread back from the database, holding
    SQLite's write lock, waits for the GIL until the busy threads give it up: every
    switch interval (5 ms by default). A shorter interval hands it back sooner."""
    import sys

    sys.setswitchinterval(float(os.environ.get("GUNICORN_SWITCH_INTERVAL", "0.001")))
