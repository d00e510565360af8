"""Lighthouse scores of the pages residents use on a phone (issue 12): performance, accessibility and best
practices on a simulated mid-range phone (Lighthouse's default mobile profile: Moto G Power, slow 4G,
4× CPU slowdown), against gunicorn as the production shape runs it, with the demo community.

Usage (a PostgreSQL database of its own; it is migrated and the demo seeded when empty):

    .venv/bin/python bench/lighthouse.py --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench_lighthouse

Lighthouse (npm, pinned below) is installed into bench/.lighthouse/ on the first run and driven with
Debian's Chromium (/usr/bin/chromium); nothing is downloaded at run time besides that package. Pages are
asked for as the demo's member Léa, signed in (her session cookie is sent with every request), in French.
Not run in CI: it takes about 30 s a page and its performance score depends on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE_VERSION = "12.8.2"  # the last release that runs on Debian 12's Node.js 20
TOOL_DIR = ROOT / "bench" / ".lighthouse"
CHROMIUM = "/usr/bin/chromium"
MEMBER = "lea@example.org"
CATEGORIES = ("performance", "accessibility", "best-practices")


def install_lighthouse() -> Path:
    cli = TOOL_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        TOOL_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603, S607 - npm from the machine, a pinned version from the registry
            [
                "npm",
                "install",
                "--prefix",
                str(TOOL_DIR),
                "--no-audit",
                "--no-fund",
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            check=True,
        )
    return cli


def django_shell(environment: dict[str, str], code: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "shell", "-c", code],
        env=environment,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


PREPARE = """
from importlib import import_module
from django.conf import settings
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
from django.core.management import call_command
from communities.models import Community, User
if not Community.objects.filter(name="Les Tilleuls").exists():
    call_command("seed_demo", allow_production=True, stdout=None)
user = User.objects.get(email="%(member)s")
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
community = Community.objects.get(name="Les Tilleuls")
print(community.pk, session.session_key)
"""


def pages(community: int) -> dict[str, str]:
    base = f"/c/{community}"
    return {
        "home (the community's overview)": f"{base}/",
        "find a free car": f"{base}/bookings/find/",
        "calendar, day": f"{base}/calendar/?view=day",
        "booking form": f"{base}/bookings/new/",
        "balances": f"{base}/ledger/balances/",
    }


def score(cli: Path, url: str, headers: Path, out: Path) -> dict[str, float]:
    """The page's scores; its report stays in ``out`` (which audits failed, and why)."""
    subprocess.run(  # noqa: S603, S607 - the pinned Lighthouse, Debian's Chromium
        [
            "node",
            str(cli),
            url,
            f"--chrome-path={CHROMIUM}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--extra-headers={headers}",
            "--locale=fr",
            "--output=json",
            f"--output-path={out}",
            "--quiet",
        ],
        check=True,
    )
    report = json.loads(out.read_text())
    return {name: report["categories"][name]["score"] for name in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://user@host:port/dbname (dedicated)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="a Redis database of your own")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median score is kept")
    parser.add_argument("--reports", type=Path, help="a folder to keep each page's Lighthouse report (JSON)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    from ledger_setup import ensure_database
    from load_floor import PUBLIC_HOST, Server

    ensure_database(args.database_url)
    cli = install_lighthouse()
    with tempfile.TemporaryDirectory(prefix="colocauto-lighthouse-") as run:
        server = Server(
            database_url=args.database_url,
            redis_url=args.redis_url,
            secret_key=secrets.token_urlsafe(50),
            run_dir=Path(run),
        )
        # Chromium asks for http://127.0.0.1:<port>/ (a secure context, as https is): the host the site answers,
        # and the proxy's header says the request came over https.
        # Requests Lighthouse does not send itself (the service worker's script) carry no proxy header: with
        # no proxy in front, they must not be redirected to https either, as they are not behind a real one.
        server.environment.update(
            {
                "ALLOWED_HOSTS": f"127.0.0.1,{PUBLIC_HOST}",
                "SITE_URL": f"http://127.0.0.1:{server.port}",
                "SECURE_SSL_REDIRECT": "false",
            }
        )
        server.start()
        try:
            community, session = django_shell(server.environment, PREPARE % {"member": MEMBER}).splitlines()[-1].split()
            headers = Path(run) / "headers.json"
            headers.write_text(json.dumps({"Cookie": f"sessionid={session}", "X-Forwarded-Proto": "https"}))
            print(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile (simulated mid-range phone), French; median of {args.runs}")
            print("| page | performance | accessibility | best practices |")
            print("| --- | ---: | ---: | ---: |")
            reports = args.reports or Path(run)
            reports.mkdir(parents=True, exist_ok=True)
            for number, (name, path) in enumerate(pages(int(community)).items(), start=1):
                url = f"http://127.0.0.1:{server.port}{path}"
                runs = [
                    score(cli, url, headers, reports / f"page-{number}-run-{index}.json") for index in range(args.runs)
                ]
                medians = [sorted(result[category] for result in runs)[len(runs) // 2] for category in CATEGORIES]
                print(f"| {name} | " + " | ".join(f"{value:.2f}" for value in medians) + " |", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
