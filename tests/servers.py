"""Throwaway servers for tests: each on a port the OS picks, each stopped by its test."""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, *, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"Nothing answered on port {port} within {timeout} s.")


class RedisServer:
    """A redis-server of our own, without persistence, that can be killed and restarted."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.process = None

    @staticmethod
    def available():
        return shutil.which("redis-server") is not None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def postgres_bin_dir():
    """The newest /usr/lib/postgresql/<version>/bin that has initdb, or None."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


class PostgresCluster:
    """A PostgreSQL cluster of our own in a temporary directory, on a port the OS picked.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres`
    user (runuser); the machine's shared cluster on 5432 is never touched.
    """

    def __init__(self):
        self.bin = postgres_bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="wmasn-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/wmasn"

    def _run(self, *args):
        result = subprocess.run([*self._as, *args], capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"{args[0]} failed: {result.stderr or result.stdout}")

    def create(self):
        if self._as:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale",
            "C.UTF-8",
        )
        self.start()
        self._run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "wmasn",
        )
        return self

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
            "-c full_page_writes=off -c max_connections=40"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "postgres.log"),
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self, mode="immediate"):
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def is_running(self):
        return (self.data / "postmaster.pid").exists()

    def remove(self):
        if self.is_running():
            self.stop("fast")
        shutil.rmtree(self.root, ignore_errors=True)


class Gunicorn:
    """gunicorn serving the portal with the given environment, on a port the OS picked."""

    def __init__(self, env, *, workers=3, log_path):
        self.port = free_port()
        self.env = env
        self.workers = workers
        self.log_path = log_path
        self.process = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, root):
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "wmasn.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            ],
            cwd=root,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, timeout=30)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()


class DovecotServer:
    """Debian's Dovecot as a throwaway IMAP server: plain IMAP on 127.0.0.1 and a spare port,
    one user with any name and the password `secret`, maildirs in a temporary folder."""

    PASSWORD = "secret"

    def __init__(self, root, port=None):
        self.root = Path(root)
        self.port = port or free_port()
        self.process = None

    @staticmethod
    def binary():
        return shutil.which("dovecot") or (
            "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
        )

    def _config(self):
        # As root (CI), mail is kept by Dovecot's own user: Dovecot refuses to log in as root.
        as_root = os.geteuid() == 0
        entry = pwd.getpwnam("dovecot") if as_root else pwd.getpwuid(os.geteuid())
        homes = self.root / "home"
        homes.mkdir(parents=True, exist_ok=True)
        if as_root:
            for folder in (self.root, homes):
                os.chown(folder, entry.pw_uid, entry.pw_gid)
        internal = entry.pw_name
        login = "dovenull" if as_root else entry.pw_name
        return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = {entry.pw_uid}
first_valid_gid = {entry.pw_gid}
mail_location = maildir:{homes}/%u/Maildir
mail_plugins =
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
passdb {{
  driver = static
  args = password={self.PASSWORD}
}}
userdb {{
  driver = static
  args = uid={entry.pw_uid} gid={entry.pw_gid} home={homes}/%u
}}
"""

    def start(self):
        self.root.mkdir(parents=True, exist_ok=True)
        config = self.root / "dovecot.conf"
        config.write_text(self._config())
        self.process = subprocess.Popen(
            [self.binary(), "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(self.port, timeout=15)
        except TimeoutError:
            self.stop()
            log = self.root / "dovecot.log"
            raise RuntimeError(
                f"Dovecot did not start: {log.read_text() if log.exists() else ''}"
            ) from None

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
