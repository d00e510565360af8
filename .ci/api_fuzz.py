"""Schema-driven fuzzing of the API: schemathesis against a live gunicorn, with a real token.

    .venv/bin/python .ci/api_fuzz.py [--postgres postgres://postgres@127.0.0.1:5432/colocauto_ci_fuzz]
                                     [--max-examples 20] [--max-time 240] [--seed 20261130]

A fresh database gets the demo data (``seed_demo``); the demo admin (Camille) gets a read-write token;
gunicorn serves the app with the API's rate limits raised (fuzzing sends thousands of requests); then
schemathesis calls every operation of /api/v1/schema/ with generated valid and invalid input. It must
find no server error (5xx), and every answer must conform to the schema: a documented status code,
content type, headers and body. The server's log must hold no traceback. Bounded by --max-time.
"""

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "unsupported_method",
    ]
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (our own manage.py)
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def wait_until_up(url: str, server: subprocess.Popen, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited before answering")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own server on 127.0.0.1)
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url} within {within} s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/colocauto_ci_fuzz")
    parser.add_argument("--max-examples", type=int, default=20)
    parser.add_argument("--max-time", type=int, default=240)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--only", default="", help="fuzz only the paths matching this regular expression")
    options = parser.parse_args()

    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
        "LANG": "C.UTF-8",
        "DATABASE_URL": options.postgres,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "API_RATE_PER_TOKEN": "100000/minute",
        "API_RATE_PER_ADDRESS": "100000/minute",
    }
    print("==> Fresh database, migrations, demo data", flush=True)
    fresh_database(options.postgres)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "seed_demo")
    token = manage(env, "api_token", "--email", "camille@example.org", "--scope", "write", "--name", "fuzz").strip()

    port = free_port()
    with tempfile.TemporaryDirectory() as run_dir:
        log_path = Path(run_dir) / "gunicorn.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen(  # noqa: S603 (our own gunicorn)
                [str(BIN / "gunicorn"), "colocauto.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                 "--timeout", "60", "--access-logfile", "-"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
            print(
                f"==> schemathesis on http://127.0.0.1:{port}/api/v1/schema/ ({options.max_time} s at most)", flush=True
            )
            command = [
                str(BIN / "schemathesis"), "run", f"http://127.0.0.1:{port}/api/v1/schema/",
                "--header", f"Authorization: Bearer {token}",
                "--checks", CHECKS,
                "--max-examples", str(options.max_examples),
                "--max-time", str(options.max_time),
                "--seed", str(options.seed),
                "--workers", "1",  # two workers crash hypothesis on Python 3.11.7 (ast.parse in two threads)
                "--request-timeout", "30",
                "--generation-database", "none",
                "--no-color",
            ]  # fmt: skip
            if options.only:
                command += ["--include-path-regex", options.only]
            status = subprocess.run(  # noqa: S603 (schemathesis from our venv)
                command, cwd=run_dir, env=env, timeout=options.max_time + 120
            ).returncode
        finally:
            server.terminate()
            server.wait(timeout=30)
        server_log = log_path.read_text()
    errors = [line for line in server_log.splitlines() if '" 5' in line and "HTTP/1.1" in line]
    if "Traceback" in server_log or errors:
        print(server_log[-8000:])
        print("The server answered 5xx or logged a traceback.")
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
