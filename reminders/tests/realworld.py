"""Real parts for the delivery tests: a redis-server of our own (so restarting it disturbs no
one), an in-process SMTP server (aiosmtpd) that counts what it receives, and Celery workers
in subprocesses (so one can be SIGKILLed mid-send). Every test gets its own ports."""

import asyncio
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout=20.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}")


def require_real_services():
    """Under CI a missing part fails the run with a plain message; elsewhere the test skips."""
    problems = []
    if not shutil.which("redis-server"):
        problems.append("the redis-server binary is not installed (apt-get install redis-server)")
    if not settings.IS_POSTGRES:
        problems.append(
            "worker subprocesses need a database they can share: run with "
            "DATABASE_URL=postgres://… (SQLite's in-memory test database is private to one process)"
        )
    if problems:
        message = "Real-worker email tests cannot run: " + "; ".join(problems) + "."
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._up, timeout=10, what="redis-server to accept connections")

    def _up(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM with --save "": nothing is kept, like a crash
            self.process.wait(10)

    def restart(self):
        self.stop()
        self.start()


class Inbox:
    """An aiosmtpd handler that records every accepted message. `rcpt_delay` slows each send
        down before the DATA command (so a worker can be killed while nothing was accepted);
        `reject_first` answers 451 to that many DATA commands; `reply_delay` holds the 250 back
    after a message was accepted (the at-least-once window, made wide on purpose)."""

    def __init__(self, rcpt_delay=0.0, reject_first=0, reply_delay=0.0):
        self.rcpt_delay = rcpt_delay
        self.reply_delay = reply_delay
        self.accepted = threading.Event()
        self.reject_first = reject_first
        self.lock = threading.Lock()
        self.messages = []
        self.rcpts = 0
        self.rcpt_events: dict[int, threading.Event] = {}

    def event_for_rcpt(self, n):
        return self.rcpt_events.setdefault(n, threading.Event())

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpts += 1
            n = self.rcpts
        self.event_for_rcpt(n).set()
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.reject_first > 0:
                self.reject_first -= 1
                return "451 4.3.0 Try again later"
            parsed = email.message_from_bytes(envelope.content)
            self.messages.append({"message_id": parsed["Message-ID"], "to": list(envelope.rcpt_tos), "message": parsed})
        self.accepted.set()
        if self.reply_delay:  # the message is ours, but the client has not heard the 250 yet
            await asyncio.sleep(self.reply_delay)
        return "250 Message accepted for delivery"

    @property
    def count(self):
        with self.lock:
            return len(self.messages)

    def message_ids(self):
        with self.lock:
            return [m["message_id"] for m in self.messages]


class SmtpServer:
    def __init__(self, inbox: Inbox):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.inbox = inbox
        self.controller = Controller(inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class Worker:
    """`celery -A empathy worker` in its own process group, against our Redis and SMTP server."""

    count = 0

    def __init__(self, redis: RedisServer, smtp: SmtpServer, **env):
        Worker.count += 1
        self.name = f"w{Worker.count}-{os.getpid()}@localhost"
        self.redis, self.smtp, self.extra_env = redis, smtp, env
        self.process = None

    def start(self):
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL", "CI")}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "empathy.settings",
                "DATABASE_URL": _database_url(),
                "CELERY_BROKER_URL": self.redis.url,
                "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp.port}",
                "REMINDERS_LEASE_SECONDS": "2",
                "REMINDERS_SMTP_TIMEOUT": "1",
                "REMINDERS_RETRY_BASE_SECONDS": "0.5",
                "PYTHONUNBUFFERED": "1",
                **self.extra_env,
            }
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "empathy",
                "worker",
                "-Q",
                "default,email",
                "--pool=solo",
                "-n",
                self.name,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self

    def kill(self):
        """SIGKILL: no cleanup, no ack, no 'finally' — as if the machine lost power."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        # At teardown every row is final already; a warm shutdown would only cost seconds.
        self.kill()


def point_celery_at(url):
    """Publish from this test process to our Redis (tests are eager by default)."""
    from kombu import pools

    from empathy.celery import app

    app.conf.broker_url = url
    app.conf.task_always_eager = False
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    pools.reset()  # kombu keeps producer pools per broker address; a restarted Redis needs new ones
    return app


def beat_tick(app):
    """What celery beat does every minute."""
    app.send_task("reminders.tasks.dispatch_due", queue="email")
