"""Real processes for the fault tests, each private to the test on a free port: a Redis server, a TCP
server that accepts and never answers (a hung Redis), and a Celery worker (with beat) against the
test database. The shared Redis on 6379 is never touched."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
HAS_REDIS_SERVER = shutil.which("redis-server") is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, *, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tail = f"\nworker log:\n{log.read_text()[-4000:]}" if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}{tail}")


class RedisServer:
    """``with RedisServer(port) as redis:`` — a throw-away redis-server (no persistence)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "RedisServer":
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, what=f"redis-server on port {self.port}")
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def __exit__(self, *exc_info) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


class HungServer:
    """``with HungServer() as hung:`` — a TCP server that accepts connections and never says a word, as a
    hung Redis does. With ``gives_up_after`` (seconds) it closes each connection that long after accepting
    it, so that a client without a socket timeout fails a time limit instead of hanging the test run."""

    def __init__(self, *, gives_up_after: float | None = None):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.socket.settimeout(0.05)
        self.port = self.socket.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.accepted: list[socket.socket] = []
        self._gives_up_after = gives_up_after
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        opened_at: dict[socket.socket, float] = {}
        while not self._stop.is_set():
            try:
                peer, _address = self.socket.accept()
            except TimeoutError:
                pass
            except OSError:
                return
            else:
                self.accepted.append(peer)
                opened_at[peer] = time.monotonic()
            if self._gives_up_after is not None:
                for peer, since in list(opened_at.items()):
                    if time.monotonic() - since > self._gives_up_after:
                        peer.close()
                        del opened_at[peer]

    def __enter__(self) -> "HungServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()
        for peer in self.accepted:
            peer.close()


def worker_env(*, broker_url: str, **settings: str) -> dict[str, str]:
    """The environment of a worker using this test's database and the given broker; ``settings`` are
    more environment variables (e.g. MAIL_CLAIM_LEASE_SECONDS)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_ALLOW"))}
    env.pop("EMAIL_HOST", None)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}",
        REDIS_URL=broker_url,
        DJANGO_SETTINGS_MODULE="colocauto.settings",
        PYTHONUNBUFFERED="1",
        **settings,
    )
    return env


class CeleryWorker:
    """``with CeleryWorker(env, log) as worker:`` — a real worker process (solo pool), with the beat
    schedule of colocauto/celery.py running inside it when ``beat`` is true. ``kill()`` is SIGKILL."""

    def __init__(self, env: dict[str, str], log: Path, *, beat: bool = False, schedule: Path | None = None):
        self.env, self.log = env, log
        self.command = [sys.executable, "-m", "celery", "-A", "colocauto", "worker", "--pool=solo", "--loglevel=INFO"]
        self.command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        if beat:
            self.command += ["--beat", "--schedule", str(schedule or log.with_suffix(".schedule"))]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "CeleryWorker":
        self._log_file = self.log.open("a")
        self.process = subprocess.Popen(
            self.command, env=self.env, cwd=ROOT, stdout=self._log_file, stderr=subprocess.STDOUT
        )
        wait_for(lambda: " ready." in self.log.read_text(), timeout=60, what="the Celery worker", log=self.log)
        return self

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def __exit__(self, *exc_info) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log_file.close()


@contextmanager
def broker(url: str):
    """Send this process's tasks to the broker at ``url`` for real (not in-process, as tests otherwise do)."""
    from colocauto.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager
    _forget_connections(app)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    try:
        yield app
    finally:
        _forget_connections(app)
        app.conf.broker_url, app.conf.task_always_eager = saved


def _forget_connections(app) -> None:
    # Celery keeps a connection pool and a producer pool bound to the broker it first used; drop both.
    # kombu also keeps every producer pool in a registry of its own, by broker address: an eager task
    # (which still borrows a producer, for its serializer) after this would get the old pool back, its
    # connections closed here ("Acquire on closed pool"). kombu.pools.reset() empties that registry.
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()
