"""Run a command against a throwaway PostgreSQL 15 server.

    python tests/pgserver.py -- pytest -q

initdb into a temporary folder, start the server on its own unix socket and a free TCP port on
127.0.0.1, export DATABASE_URL for the command, run it, then stop the server and remove the
folder whatever happens (failure, Ctrl-C). Exits with the command's exit code.

As root the server runs as the ``postgres`` user (initdb refuses root); otherwise as the current
user. Under CI=true a missing PostgreSQL is an error, never a silent skip.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this folder comes first on sys.path, and tests/selectors/ would then shadow
# the standard library's selectors module, which subprocess imports.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_MAJOR = "15"
DB_NAME = "registry"
DB_USER = "postgres"


def log(message: str) -> None:
    print(f"[pgserver] {message}", file=sys.stderr, flush=True)


def find_bindir() -> Path | None:
    candidates = [Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin")]
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
            candidates.append(Path(out))
        except (OSError, subprocess.CalledProcessError):
            pass
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.tmp = Path(tempfile.mkdtemp(prefix="registry-pg-"))
        self.data = self.tmp / "data"
        self.socket_dir = self.tmp
        self.port = free_port()
        self.started = False
        if self.as_root:
            import pwd

            entry = pwd.getpwnam("postgres")
            os.chown(self.tmp, entry.pw_uid, entry.pw_gid)
        self.tmp.chmod(0o700)

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(a) for a in args]
        if self.as_root:
            return ["runuser", "-u", "postgres", "--", *cmd]
        return cmd

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            self._cmd(*args), capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            raise RuntimeError(f"{args[0]} failed with exit code {result.returncode}")

    def start(self) -> None:
        self._run(
            self.bindir / "initdb",
            "-D",
            self.data,
            "-U",
            DB_USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = (
            f"-k {self.socket_dir} -p {self.port} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            self.bindir / "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.tmp / "server.log",
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        self.started = True
        self._wait_ready()
        self._run(
            self.bindir / "createdb",
            "-h",
            self.socket_dir,
            "-p",
            str(self.port),
            "-U",
            DB_USER,
            DB_NAME,
        )

    def _wait_ready(self) -> None:
        pg_isready = self.bindir / "pg_isready"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            result = subprocess.run(
                [str(pg_isready), "-h", str(self.socket_dir), "-p", str(self.port), "-q"],
                stdin=subprocess.DEVNULL,
            )
            if result.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("PostgreSQL did not become ready within 60 s")

    @property
    def url(self) -> str:
        return f"postgres://{DB_USER}@/{DB_NAME}?host={self.socket_dir}&port={self.port}"

    def stop(self) -> None:
        try:
            if self.started:
                subprocess.run(
                    self._cmd(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "stop"),
                    capture_output=True,
                    stdin=subprocess.DEVNULL,
                )
                self.started = False
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def dump_log(self) -> None:
        logfile = self.tmp / "server.log"
        if logfile.exists():
            sys.stderr.write(logfile.read_text(errors="replace")[-4000:])


def stop_child(child: subprocess.Popen) -> None:
    """Ask the command to stop (SIGINT lets pytest print its summary), then insist."""
    for sig, grace in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, None)):
        if child.poll() is not None:
            return
        child.send_signal(sig)
        try:
            child.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:
            continue


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        log("usage: python tests/pgserver.py -- <command...>")
        return 2

    bindir = find_bindir()
    if bindir is None:
        message = (
            f"PostgreSQL {PG_MAJOR} binaries not found (looked in /usr/lib/postgresql/{PG_MAJOR}/bin "
            f"and pg_config --bindir). Install Debian's postgresql-{PG_MAJOR} (make system-deps)."
        )
        log(message)
        # Never a silent skip: without the server the PostgreSQL pass cannot run at all.
        return 1

    # Ctrl-C, SIGTERM and SIGHUP all become KeyboardInterrupt so that the finally block below
    # always stops the server (SIGINT too, even when the parent shell started us ignoring it).
    def on_signal(signum, frame):
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)

    server = Server(bindir)
    try:
        try:
            server.start()
        except Exception as exc:
            log(f"could not start PostgreSQL: {exc}")
            server.dump_log()
            return 1
        log(f"PostgreSQL {PG_MAJOR} ready at {server.url}")
        env = dict(os.environ, DATABASE_URL=server.url)
        child = subprocess.Popen(argv, env=env)
        try:
            return child.wait()
        except KeyboardInterrupt:
            stop_child(child)
            return 130
    except KeyboardInterrupt:
        return 130
    finally:
        server.stop()
        log("PostgreSQL stopped, temporary folder removed")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
