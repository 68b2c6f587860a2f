"""Web benchmark: the pages against a bare-Django floor, through gunicorn, PostgreSQL and Redis sessions.

    .venv/bin/python scripts/bench_web.py [--rounds 3] [--duration 8] [--size 50000]
    .venv/bin/python scripts/bench_web.py --configs        # also: connection and worker settings side by side
    .venv/bin/python scripts/bench_web.py --flat           # also: search and sort at 1,000 vs 100,000

Builds its own PostgreSQL database (``BENCH_DATABASE_URL``, default ``ss_perf_bench`` on 127.0.0.1) and
uses Redis database 15 for the cache and sessions (``BENCH_REDIS_URL``). Starts gunicorn
(``subscriptions.benchmarks.wsgi``: the portal, plus ``/bench/bare/`` served by Django with no middleware
and ``/bench/floor/`` behind the whole middleware stack; both read the list's 50 rows with one query and
render them with a plain template) and runs ``wrk`` against each URL in turn, round after round
(interleaved, so the machine's load hits all alike), and prints each page's requests/s as a share of the
bare floor's in the same round (median over rounds), its p50/p99 latency, and the errors at 50 connections.
On a shared machine compare the ratios, not the absolute figures. Needs ``wrk`` (``apt-get install wrk``).
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ss_perf_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
ENV = {
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "DJANGO_DEBUG": "false",
    "DJANGO_SECURE": "false",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "FIELD_ENCRYPTION_KEYS": "pYxLw0Q7o7v6xqzHkqjJm8qAq3o5T0Gm6cXq6cS2Y0E=",
    "DJANGO_SETTINGS_MODULE": "subscriptions.benchmarks.settings",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)


def setup_django() -> None:
    import django

    django.setup()


def ensure_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(sizes: dict[str, int]) -> dict[str, dict[str, object]]:
    """Companies of the given sizes, an admin of all of them, and one signed-in session per company."""
    import random

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cache import SessionStore
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from companies.middleware import SESSION_KEY as COMPANY_KEY
    from companies.models import Company, Membership
    from registry.areas import registry
    from registry.demo import cvr_with_check
    from subscriptions.catalogue import ensure_catalogue
    from subscriptions.demo import build
    from subscriptions.models import Subscription

    call_command("migrate", verbosity=0)
    products = ensure_catalogue()
    user, _ = User.objects.get_or_create(email="bench@bench.dk", defaults={"language": "en"})
    out: dict[str, dict[str, object]] = {}
    for index, (label, size) in enumerate(sorted(sizes.items(), key=lambda kv: kv[1])):
        company, _ = Company.objects.get_or_create(
            cvr=cvr_with_check(f"{6100000 + size:07d}"), defaults={"name": f"Bench {label}"}
        )
        Membership.objects.get_or_create(user=user, company=company, defaults={"areas": registry.keys()})
        have = Subscription.objects.filter(company=company).count()
        if have < size:
            started = time.perf_counter()
            rows = build(company, size, 40 + index, random.Random(size), products, "bench.dk")[have:]
            Subscription.objects.bulk_create(rows, batch_size=5000)
            print(f"  seeded {label}: {size - have:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[COMPANY_KEY] = company.pk
        session.set_expiry(24 * 3600)
        session.save()
        sample = Subscription.objects.filter(company=company).order_by("id")[size // 2]
        out[label] = {
            "company": company.pk,
            "cookie": f"sessionid={session.session_key}",
            "email_q": sample.email.split("@")[0],
            "iccid_q": sample.iccid[:18],
        }
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE subscriptions_subscription")
        cursor.execute("VACUUM ANALYZE subscriptions_subscriptioncount")
    return out


class Server:
    def __init__(self, port: int, *, worker_class: str, workers: int, threads: int, extra_env: dict[str, str]) -> None:
        self.port = port
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-gunicorn-{port}-", suffix=".log", delete=False)
        argv = [str(ROOT / ".venv/bin/gunicorn"), "subscriptions.benchmarks.wsgi:application"]
        argv += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", worker_class]
        argv += ["--threads", str(threads), "--backlog", "2048", "--timeout", "60"]
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**os.environ, **extra_env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn on {port} did not start; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(url: str, cookie: str, *, connections: int, duration: int, threads: int = 2) -> dict[str, float]:
    argv = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{duration}s", "--latency"]
    argv += ["--timeout", "10s", "-H", f"Cookie: {cookie}", url]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = {}
    for pct, value, unit in re.findall(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", out, flags=re.MULTILINE):
        latency[pct] = float(value) * _UNITS[unit]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in match.groups())
    return {"rps": rps, "p50": latency.get("50", 0.0), "p99": latency.get("99", 0.0), "errors": errors, "n": requests}


def interleaved(
    targets: list[tuple[str, str, str]], *, rounds: int, duration: int, connections: int, base: str
) -> dict[str, dict[str, float]]:
    """Runs wrk against every target in turn, ``rounds`` times; ratios are to ``base`` in the same round."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name, _u, _c in targets}
    for _round in range(rounds):
        for name, url, cookie in targets:
            runs[name].append(wrk(url, cookie, connections=connections, duration=duration))
    summary = {}
    for name, results in runs.items():
        ratios = [r["rps"] / b["rps"] for r, b in zip(results, runs[base], strict=True)]
        summary[name] = {
            "rps": statistics.median(r["rps"] for r in results),
            "share": statistics.median(ratios),
            "p50": statistics.median(r["p50"] for r in results),
            "p99": statistics.median(r["p99"] for r in results),
            "errors": sum(r["errors"] for r in results),
        }
    return summary


def pages(info: dict[str, object], port: int, company_base: str = "") -> list[tuple[str, str, str]]:
    base = f"http://127.0.0.1:{port}"
    cookie = str(info["cookie"])
    return [
        ("bare floor", f"{base}/bench/bare/?company={info['company']}", cookie),
        ("floor behind the middleware", f"{base}/bench/floor/", cookie),
        ("subscriptions list", f"{base}/subscriptions/", cookie),
        ("list, sort by type", f"{base}/subscriptions/?sort=type", cookie),
        ("search name 'sør'", f"{base}/subscriptions/?q=s%C3%B8r", cookie),
        ("search e-mail", f"{base}/subscriptions/?q={info['email_q']}", cookie),
        ("search ICCID", f"{base}/subscriptions/?q={info['iccid_q']}", cookie),
        ("overview", f"{base}/", cookie),
    ]


def print_table(summary: dict[str, dict[str, float]], title: str) -> None:
    print(f"\n{title}\n")
    print("| page | req/s | share of the bare floor | p50 ms | p99 ms | p99/p50 | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, s in summary.items():
        ratio = s["p99"] / s["p50"] if s["p50"] else 0
        print(
            f"| {name} | {s['rps']:.0f} | {s['share'] * 100:.0f} % | {s['p50']:.1f} | {s['p99']:.1f} | "
            f"{ratio:.1f}x | {s['errors']:.0f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--size", type=int, default=50_000, help="subscriptions in the company the pages show")
    parser.add_argument("--load-duration", type=int, default=30, help="seconds of the 50-connection run")
    parser.add_argument("--configs", action="store_true", help="compare connection and worker settings")
    parser.add_argument("--flat", action="store_true", help="search and sort at 1,000 vs 100,000 subscriptions")
    parser.add_argument("--cpu-only", action="store_true", help="only the in-process CPU comparison (no gunicorn)")
    parser.add_argument("--cpu-requests", type=int, default=40, help="requests per page and round, in-process")
    # The README's production command (docs/benchmarks.md, "Connections and worker model").
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8720)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    ensure_database()
    setup_django()
    sizes = {"main": args.size}
    if args.flat:
        sizes.update({"1k": 1_000, "100k": 100_000})
    print(
        f"Database {DATABASE_URL}, Redis {REDIS_URL}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    info = seed(sizes)
    cpu(info["main"], rounds=args.rounds, requests=args.cpu_requests)
    if args.cpu_only:
        return
    from django.db import connections

    connections.close_all()
    servers: list[Server] = []
    try:
        server = Server(
            args.port, worker_class=args.worker_class, workers=args.workers, threads=args.threads, extra_env={}
        )
        servers.append(server)
        label = f"gunicorn {args.workers} {args.worker_class} workers" + (
            f" x {args.threads} threads" if args.worker_class == "gthread" else ""
        )
        targets = pages(info["main"], args.port)
        for _name, url, cookie in targets:  # warm every worker's connections and caches
            wrk(url, cookie, connections=4, duration=1)
        summary = interleaved(targets, rounds=args.rounds, duration=args.duration, connections=10, base="bare floor")
        print_table(
            summary,
            f"{args.size:,} subscriptions, {label}, 10 connections, {args.rounds} rounds x {args.duration} s "
            f"(medians; share = req/s ÷ the bare floor's in the same round)",
        )
        print(f"\n50 connections for {args.load_duration} s each (errors = non-2xx + socket errors):\n")
        for name, url, cookie in targets[2:]:
            result = wrk(url, cookie, connections=50, duration=args.load_duration, threads=2)
            print(
                f"- {name}: {result['rps']:.0f} req/s, p50 {result['p50']:.0f} ms, p99 {result['p99']:.0f} ms, "
                f"{result['errors']:.0f} errors in {result['n']:.0f} requests",
                flush=True,
            )
        if args.flat:
            flat(info, args)
        if args.configs:
            server.stop()
            configs(info["main"], args)
    finally:
        for server in servers:
            server.stop()


def cpu(info: dict[str, object], *, rounds: int, requests: int) -> None:
    """The same pages in this process, one after the other: CPU time per request (the web process's share of
    the machine; PostgreSQL's own work is not in it), interleaved. On a machine whose other jobs make wall
    times and wrk's figures swing, the CPU ratio is the steadier estimate of the req/s ratio a server with
    its cores to itself would reach."""
    from django.core.cache import cache
    from django.test import RequestFactory
    from django.utils import timezone

    from portal.overview import VERSION_KEY
    from subscriptions.benchmarks import wsgi
    from subscriptions.models import Subscription

    factory = RequestFactory()
    targets = pages(info, 0)
    # The same pages when nothing is kept: a subscription written before each request (the list renders
    # afresh under a new list version) and the overview's version dropped (its sections render afresh).
    # The write itself is outside the timing.
    company_id = int(str(info["company"]))
    one = Subscription.objects.filter(company_id=company_id).order_by("id").values_list("id", flat=True)[0]

    def write_one() -> None:
        Subscription.objects.filter(company_id=company_id, pk=one).update(updated_at=timezone.now())

    def drop_overview() -> None:
        cache.delete(VERSION_KEY.format(company_id))

    before = {
        "list after a write (rendered afresh)": write_one,
        "overview after a change (rendered afresh)": drop_overview,
    }
    targets += [
        ("list after a write (rendered afresh)", targets[2][1], targets[2][2]),
        ("overview after a change (rendered afresh)", targets[-1][1], targets[-1][2]),
    ]
    per_target: dict[str, list[tuple[float, float]]] = {name: [] for name, _u, _c in targets}
    for _round in range(rounds + 1):
        for name, url, cookie in targets:
            path = url.split(":0", 1)[1]
            handler = wsgi.bare if path.startswith("/bench/bare/") else wsgi.portal
            prepare = before.get(name)
            wall = process = 0.0
            for _ in range(requests):
                if prepare is not None:
                    prepare()
                request = factory.get(path, HTTP_COOKIE=cookie, HTTP_HOST="127.0.0.1")
                t, p = time.perf_counter(), time.process_time()
                response = handler.get_response(request)
                process += time.process_time() - p
                wall += time.perf_counter() - t
                assert response.status_code == 200, (name, response.status_code)
            if _round:  # the first round warms caches and connections
                per_target[name].append((process / requests * 1000, wall / requests * 1000))
    base = statistics.median(c for c, _w in per_target["bare floor"])
    print(f"\nIn-process, {requests} requests x {rounds} rounds per page: CPU ms per request (median of rounds)\n")
    print("| page | CPU ms | wall ms | CPU share (bare floor's CPU ÷ the page's) |")
    print("|---|---:|---:|---:|")
    for name, values in per_target.items():
        c = statistics.median(v for v, _w in values)
        w = statistics.median(v for _c, v in values)
        print(f"| {name} | {c:.2f} | {w:.2f} | {base / c * 100:.0f} % |", flush=True)


def flat(info: dict[str, dict[str, object]], args: argparse.Namespace) -> None:
    """Latency of the same searches and sort in a 1,000 and a 100,000 company, one connection, interleaved."""
    base = f"http://127.0.0.1:{args.port}"
    cases = [
        ("search name 'sør'", "q=s%C3%B8r"),
        ("search e-mail", "q={email_q}"),
        ("search ICCID", "q={iccid_q}"),
        ("sort by type", "sort=type"),
        ("sort by type, page 10", "sort=type&page=10"),
        ("list", ""),
    ]
    p50: dict[tuple[str, str], list[float]] = {}
    for _round in range(args.rounds):
        for name, query in cases:
            for size in ("1k", "100k"):
                data = info[size]
                url = f"{base}/subscriptions/?" + query.format(**data)
                result = wrk(url, str(data["cookie"]), connections=1, duration=max(args.duration // 2, 3), threads=1)
                p50.setdefault((name, size), []).append(result["p50"])
    print("\nOne connection, p50 latency (median of rounds), ms: 1,000 vs 100,000 subscriptions\n")
    print("| case | 1,000 | 100,000 | ratio |")
    print("|---|---:|---:|---:|")
    for name, _query in cases:
        small, big = statistics.median(p50[(name, "1k")]), statistics.median(p50[(name, "100k")])
        print(f"| {name} | {small:.1f} | {big:.1f} | {big / small:.2f}x |", flush=True)


def configs(info: dict[str, object], args: argparse.Namespace) -> None:
    """The list page and the floor under several connection/worker settings, all running, interleaved."""
    variants = [
        ("2 sync workers, CONN_MAX_AGE=0", "sync", 2, 1, {"DATABASE_CONN_MAX_AGE": "0"}),
        ("2 sync workers, CONN_MAX_AGE=600", "sync", 2, 1, {"DATABASE_CONN_MAX_AGE": "600"}),
        ("2 gthread workers x 4 threads, CONN_MAX_AGE=600", "gthread", 2, 4, {"DATABASE_CONN_MAX_AGE": "600"}),
        ("4 sync workers, CONN_MAX_AGE=600", "sync", 4, 1, {"DATABASE_CONN_MAX_AGE": "600"}),
        ("4 gthread workers x 2 threads, CONN_MAX_AGE=600", "gthread", 4, 2, {"DATABASE_CONN_MAX_AGE": "600"}),
    ]
    servers = []
    try:
        targets = []
        for i, (label, worker_class, workers, threads, env) in enumerate(variants):
            port = args.port + 10 + i
            servers.append(Server(port, worker_class=worker_class, workers=workers, threads=threads, extra_env=env))
            targets.append((label, f"http://127.0.0.1:{port}/subscriptions/", str(info["cookie"])))
        for _name, url, cookie in targets:
            wrk(url, cookie, connections=4, duration=1)
        for conns in (10, 50):
            summary = interleaved(
                targets, rounds=args.rounds, duration=args.duration, connections=conns, base=targets[0][0]
            )
            print(f"\nSubscriptions list, {conns} connections; share = req/s ÷ the first line's in the same round\n")
            print("| setting | req/s | share | p50 ms | p99 ms | errors |")
            print("|---|---:|---:|---:|---:|---:|")
            for name, s in summary.items():
                print(
                    f"| {name} | {s['rps']:.0f} | {s['share'] * 100:.0f} % | {s['p50']:.1f} | {s['p99']:.1f} | "
                    f"{s['errors']:.0f} |",
                    flush=True,
                )
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
