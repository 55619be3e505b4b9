"""Serving the app with gunicorn, signing in over HTTP, and driving pages with wrk."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
GUNICORN_LOG = Path(tempfile.gettempdir()) / "empathy-bench-gunicorn.log"


class LoadError(Exception):
    pass


def ensure_wrk() -> str:
    """The wrk binary; installs Debian's package when missing and we are root (CI-like machines)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise LoadError("wrk is not installed. Install it (Debian/Ubuntu: sudo apt-get install wrk) and rerun.")
    print("  wrk is not installed: installing the Debian package (apt-get install -y wrk)…", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
        subprocess.run(install, env=env, capture_output=True, check=True)
    found = shutil.which("wrk")
    if not found:
        raise LoadError("apt-get could not install wrk; install it by hand and rerun.")
    return found


def wrk_version() -> str:
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    match = re.search(r"wrk (\S+)", out.stdout + out.stderr)
    return match.group(1) if match else "unknown"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict, port: int, workers: int = 2):
    """gunicorn serving empathy on 127.0.0.1:port until the block ends; yields the base URL."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "empathy.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--graceful-timeout",
        "5",
    ]
    log = open(GUNICORN_LOG, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise LoadError(f"gunicorn exited with {process.returncode}; see {GUNICORN_LOG}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise LoadError(f"gunicorn did not answer /healthz within 60 s; see {GUNICORN_LOG}")
            time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base: str, email: str, password: str) -> dict:
    """POST allauth's login form like a browser; returns the signed-in session's cookies."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(f"{base}/accounts/login/", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not token:
        raise LoadError("The sign-in page has no CSRF token field.")
    form = urllib.parse.urlencode({"login": email, "password": password, "csrfmiddlewaretoken": token.group(1)})
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=form.encode(), headers={"Referer": f"{base}/accounts/login/"}
    )
    try:
        opener.open(request, timeout=10)
        raise LoadError("Signing in did not redirect: wrong password, unverified email, or a changed form.")
    except urllib.error.HTTPError as answer:
        if answer.code != 302 or "/accounts/" in answer.headers.get("Location", ""):
            where = answer.headers.get("Location") or f"see {GUNICORN_LOG}"
            raise LoadError(f"Signing in answered {answer.code} ({where})") from None
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise LoadError("Signed in but got no session cookie.")
    return cookies


def get_status(base: str, path: str, cookie: str) -> int:
    """The status of one GET (no redirects followed): tells a built page from a missing one."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    try:
        with opener.open(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


def post(base: str, path: str, cookie: str, headers: dict, body: str) -> tuple[int, str]:
    """One form POST (no redirects followed): its status and the start of its answer."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(
        base + path,
        data=body.encode(),
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read(300).decode(errors="replace")
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read(300).decode(errors="replace")


def wrk(url: str, cookie: str, seconds: float, connections: int, extra_env: dict | None = None, headers=()) -> dict:
    """Drive `url` for `seconds` with `connections` connections; the numbers wrk_report.lua prints."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    command += ["-s", str(WRK_SCRIPT), "-H", f"Cookie: {cookie}"]
    for header in headers:
        command += ["-H", header]
    command.append(url)
    out = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(extra_env or {})}, timeout=seconds + 60
    )
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise LoadError(f"wrk printed no result (exit {out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
