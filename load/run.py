"""The web load test: a database of N synthetic persons, the portal under gunicorn, locust.

`python -m load mix` (`make load`; `python -m load morning` is load/morning.py):
1. ensures a database holding LOAD_PERSONS synthetic persons (default 1,000,000): the database
   of DATABASE_URL with `_<N>` appended to its name, created, migrated and seeded
   (`seed_demo --persons N`) when missing, reused when it holds them;
2. starts the portal under gunicorn on a free loopback port (workers and threads as the
   production image, LOAD_WORKERS / LOAD_THREADS to change);
3. signs the demo users of the mix in (browser sessions and API tokens, load/mix.py);
4. sends the mix open-loop (a request leaves on schedule whatever the earlier ones are doing)
   at LOAD_RATE requests a second (40) for LOAD_SECONDS (300) and prints p50 / p95 / p99 per
   request type;
5. steps the rate up (LOAD_STEPS, LOAD_STEP_SECONDS each) and prints the highest rate whose
   p95 stays under 300 ms with under 1 % errors.

Everything stays on 127.0.0.1; every run is bounded in time and in request count.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PERSONS = 1_000_000
P95_LIMIT_MS = 300
ERROR_LIMIT = 0.01
# Production server (Dockerfile): gunicorn portal.wsgi; 2 cores.
DEFAULT_WORKERS = 4
DEFAULT_THREADS = 2
DEFAULT_STEPS = "60,100,150,200,250,300,400,500,600"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _say(text: str) -> None:
    print(text, flush=True)  # noqa: T201


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} ({os.cpu_count()} cores)"


# --- the database -------------------------------------------------------------------------------


def database_url_for(base_url: str, persons: int) -> str:
    parts = urlsplit(base_url)
    name = parts.path.lstrip("/") or "portal"
    return urlunsplit(parts._replace(path=f"/{name}_{persons}"))


DEMO_GRIDS = 200
PERSONS_PER_ADDRESS = 100


def addresses_per_grid(persons: int) -> int:
    """Standard addresses per demo grid so that about PERSONS_PER_ADDRESS live at each (a
    building of flats; a rental home holds at most 200), never fewer than the demo's 10."""
    return max(10, -(-persons // (DEMO_GRIDS * PERSONS_PER_ADDRESS)))


def _manage(*args: str, env: dict[str, str], capture: bool = False) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


def _create_database(url: str) -> bool:
    """Create the database of `url` when missing; True when it was created."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise SystemExit(f"unexpected database name {name!r}")
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def person_count(env: dict[str, str]) -> int:
    out = _manage(
        "shell",
        "-c",
        "from residents.models import Person; print(Person.objects.count())",
        env=env,
        capture=True,
    )
    return int(out.strip().splitlines()[-1])


def ensure_database(base_env: dict[str, str], persons: int) -> dict[str, str]:
    """The environment of a database holding `persons` synthetic persons (made when missing)."""
    env = dict(base_env)
    env["DATABASE_URL"] = database_url_for(base_env["DATABASE_URL"], persons)
    created = _create_database(env["DATABASE_URL"])
    _manage("migrate", "--no-input", "--verbosity", "0", env=env)
    found = 0 if created else person_count(env)
    if found < persons:
        if found:
            raise SystemExit(
                f"{env['DATABASE_URL']} holds {found:,} persons, fewer than {persons:,}: "
                "drop it and run again."
            )
        _say(f"Seeding {persons:,} synthetic persons into {env['DATABASE_URL']} ...")
        started = time.perf_counter()
        try:
            _manage(
                "seed_demo",
                "--persons",
                str(persons),
                "--addresses-per-grid",
                str(addresses_per_grid(persons)),
                env=env,
            )
        except subprocess.CalledProcessError:
            # A demo step after the population may refuse it (docs/scaling.md); the mix needs
            # the accounts, the population and the field work, which come first.
            if person_count(env) < persons:
                raise
            _say("A later demo step failed; the population is in place, going on.")
        _say(f"Seeded in {time.perf_counter() - started:.0f} s.")
    else:
        _say(f"{env['DATABASE_URL']} holds {found:,} persons.")
    collect_static(env)
    return env


def collect_static(env: dict[str, str]) -> None:
    """Collect the static files when a source file is newer, with the settings the server will
    run under (their manifest storage), whatever settings the caller's environment names."""
    if static_files_stale():
        _manage("collectstatic", "--no-input", "--verbosity", "0", env=server_environment(env))


def static_files_stale() -> bool:
    """Whether the collected static files (and their manifest) are older than a source file."""
    manifest = ROOT / ".data" / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    collected = manifest.stat().st_mtime
    return any(
        path.stat().st_mtime > collected for path in (ROOT / "static").rglob("*") if path.is_file()
    )


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(env: dict[str, str]) -> dict[str, str]:
    """The portal's environment for the run: demo mode, production server, throttles lifted.

    The per-user throttles of the person list and of token sign-in protect a real portal from
    scraping; the load test is one client asking for many users, so they are lifted here.
    """
    env = dict(env)
    env.update(
        {
            "PORTAL_DEMO_MODE": "1",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "0",
            "THROTTLE_AUTH_TOKEN": "1000/min",
            "THROTTLE_PERSON_LIST_BURST": "1000000/min",
            "THROTTLE_PERSON_LIST_DAILY": "100000000/day",
        }
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int, threads: int):
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "30",
        "--log-level",
        "warning",
    ]
    _say(f"Starting: {' '.join(argv[2:])}")
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {proc.returncode}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base}/accounts/login/", timeout=30).status_code == 200:
                return
        time.sleep(0.5)
    raise SystemExit("the portal did not answer within three minutes")


# --- signing in ---------------------------------------------------------------------------------

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (the published demo password, portal.demo)


def session_cookie(base: str, username: str) -> str:
    """Sign `username` in through the login page; the Cookie header of the browser session."""
    import requests

    browser = requests.Session()
    page = browser.get(f"{base}/accounts/login/", timeout=60)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not csrf:
        raise SystemExit("no CSRF token on the login page")
    answer = browser.post(
        f"{base}/accounts/login/",
        data={"login": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf[1]},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=60,
        allow_redirects=False,
    )
    if answer.status_code != 302 or "sessionid" not in browser.cookies:
        raise SystemExit(f"{username} could not sign in (HTTP {answer.status_code})")
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


def api_token(base: str, username: str) -> str:
    import requests

    answer = requests.post(
        f"{base}/api/v1/auth/token/",
        json={"username": username, "password": DEMO_PASSWORD},
        timeout=60,
    )
    if answer.status_code != 200:
        raise SystemExit(f"{username} got no API token (HTTP {answer.status_code})")
    return answer.json()["token"]


def sign_in(base: str, wanted: dict[str, set[str]]) -> dict[tuple[str, str], dict[str, str]]:
    """Headers per (login, auth) for every login of the mix."""
    from load.mix import SESSION, TOKEN

    headers: dict[tuple[str, str], dict[str, str]] = {}
    for username, auths in sorted(wanted.items()):
        if SESSION in auths:
            headers[username, SESSION] = {"Cookie": session_cookie(base, username)}
        if TOKEN in auths:
            headers[username, TOKEN] = {"Authorization": f"Token {api_token(base, username)}"}
    return headers


def sign_out(base: str, headers: dict[tuple[str, str], dict[str, str]]) -> None:
    """Revoke the run's API tokens (a user holds a bounded number at once)."""
    import requests

    from load.mix import TOKEN

    for (_username, auth), header in headers.items():
        if auth == TOKEN:
            with contextlib.suppress(requests.RequestException):
                requests.post(f"{base}/api/v1/auth/logout/", headers=header, timeout=5)


# --- main ---------------------------------------------------------------------------------------


def base_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PORTAL_DEMO_MODE", "1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if not env.get("DATABASE_URL"):
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL for the load test")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    return env


def stop_on_term() -> None:
    """Make SIGTERM end the run like Ctrl-C: the `finally` blocks stop gunicorn and sign out.

    Python's default for SIGTERM ends the process at once, which would leave the server's
    process group running on its port.
    """

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def main(argv: list[str]) -> int:
    stop_on_term()
    mode = argv[0] if argv else "mix"
    if mode == "morning":
        from load import morning

        return morning.main()
    if mode != "mix":
        raise SystemExit("usage: python -m load [mix|morning]")
    persons = _env_int("LOAD_PERSONS", DEFAULT_PERSONS)
    env = server_environment(ensure_database(base_environment(), persons))
    workers = _env_int("LOAD_WORKERS", DEFAULT_WORKERS)
    threads = _env_int("LOAD_THREADS", DEFAULT_THREADS)
    with gunicorn(env, workers=workers, threads=threads) as base:
        return run_mix(base, persons=persons, workers=workers, threads=threads)


def run_mix(base: str, *, persons: int, workers: int, threads: int) -> int:
    from load import mix, openloop

    headers = sign_in(base, mix.logins())
    try:
        rate = _env_int("LOAD_RATE", 40)
        seconds = _env_int("LOAD_SECONDS", 300)
        _say(
            f"\n== {rate} req/s for {seconds} s, {persons:,} persons, gunicorn {workers} "
            f"workers x {threads} threads; {load_average()}"
        )
        result = openloop.run(base, headers, rate=rate, seconds=seconds)
        _say(result.table())
        _say(f"after the run: {load_average()}")

        step_seconds = _env_int("LOAD_STEP_SECONDS", 30)
        steps = [int(s) for s in os.environ.get("LOAD_STEPS", DEFAULT_STEPS).split(",") if s]
        best = rate if result.holds(P95_LIMIT_MS, ERROR_LIMIT) else 0
        _say(f"\n== stepping up, {step_seconds} s a step, p95 under {P95_LIMIT_MS} ms")
        for step in steps:
            before = load_average()
            outcome = openloop.run(base, headers, rate=step, seconds=step_seconds)
            _say(f"{step:>5} req/s: {outcome.summary()}; before the step {before}")
            if not outcome.holds(P95_LIMIT_MS, ERROR_LIMIT):
                break
            best = max(best, step)
        _say(f"\nHighest rate with p95 under {P95_LIMIT_MS} ms: {best} req/s ({load_average()})")
    finally:
        sign_out(base, headers)
    return 0
