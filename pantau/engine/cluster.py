"""A throwaway engine on loopback: Redis, optionally PostgreSQL, and N `pantau worker` processes.

For `pantau bench collect --engine celery`, the province simulation and the tests; never for
production (a real deployment runs Redis, PostgreSQL and workers as services, see README).
Every server listens on 127.0.0.1 only, keeps nothing on disk beyond its temporary folder, and
is stopped (and its folder removed) on `close()`.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pantau.config import PROJECT_ROOT

START_TIMEOUT = 60


class ClusterError(RuntimeError):
    """A server of the throwaway engine could not be found or started."""


def free_port(base: int = 0) -> int:
    """A free loopback port: the first free one from `base` (a range given to us), else any."""
    candidates = range(base, base + 1000) if base else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise ClusterError(f"no free port from {base}")


def wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ClusterError(f"{what} exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise ClusterError(f"{what} did not listen on port {port} within {START_TIMEOUT} s")


def redis_server_binary() -> str:
    found = os.environ.get("PANTAU_REDIS_SERVER") or shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(found).exists():
        raise ClusterError("redis-server not found: apt-get install redis-server, or set PANTAU_REDIS_SERVER")
    return found


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if not found:
        raise ClusterError("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
    return Path(found[-1])


class LocalCluster:
    def __init__(self, port_base: int = 0):
        self.port_base = port_base
        self.folder = Path(tempfile.mkdtemp(prefix="pantau-engine-"))
        os.chmod(self.folder, 0o755)
        self.redis: subprocess.Popen | None = None
        self.broker_url = ""
        self.pg_data: Path | None = None
        self.db_url = ""
        self.workers: list[subprocess.Popen] = []

    def _port(self) -> int:
        port = free_port(self.port_base)
        if self.port_base:
            self.port_base = port + 1
        return port

    # -- servers -------------------------------------------------------------------------------

    def start_redis(self) -> str:
        port = self._port()
        self.redis = subprocess.Popen(
            [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for_port(port, self.redis, "redis-server")
        self.broker_url = f"redis://127.0.0.1:{port}/0"
        return self.broker_url

    def start_postgres(self) -> str:
        """initdb and start a server as user postgres when we are root (PostgreSQL refuses root)."""
        bin_dir = postgres_bin()
        port = self._port()
        self.pg_data = self.folder / "pg"
        self.pg_data.mkdir()
        as_postgres = os.geteuid() == 0
        if as_postgres:
            shutil.chown(self.pg_data, "postgres")
        def run(*command: str) -> None:
            line = [str(c) for c in command]
            if as_postgres:
                line = ["runuser", "-u", "postgres", "--", *line]
            done = subprocess.run(line, capture_output=True, text=True)
            if done.returncode:
                raise ClusterError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-500:]}")
        run(bin_dir / "initdb", "-D", self.pg_data, "-A", "trust", "-U", "postgres")
        run(bin_dir / "pg_ctl", "-D", self.pg_data, "-l", self.pg_data / "server.log", "-w", "start", "-o",
            f"-p {port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200")
        self._pg_stop = lambda: run(bin_dir / "pg_ctl", "-D", self.pg_data, "-m", "immediate", "stop")
        self.db_url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        return self.db_url

    # -- workers -------------------------------------------------------------------------------

    def start_workers(self, count: int, *, concurrency: int, env: dict[str, str] | None = None,
                      request_timeout: float = 10.0, visibility_timeout: float = 20.0) -> None:
        environment = dict(os.environ)
        environment.update(env or {})
        environment["PANTAU_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
        environment["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), environment.get("PYTHONPATH", ""))
                                                    if p)
        for _ in range(count):
            index = len(self.workers)
            log = open(self.folder / f"worker-{index}.log", "w")  # noqa: SIM115 - closed with the process
            self.workers.append(subprocess.Popen(
                [sys.executable, "-m", "pantau", "worker", "--broker", self.broker_url, "--db", self.db_url,
                 "--concurrency", str(concurrency), "--request-timeout", str(request_timeout),
                 "--name", f"w{index}@bench"],
                stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=PROJECT_ROOT, start_new_session=True))
            log.close()

    def kill_worker(self, index: int) -> None:
        """SIGKILL a worker and everything it started: a machine that dies, no goodbye."""
        process = self.workers[index]
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(10)

    def stop_workers(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        self.workers = []

    def worker_logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.folder.glob("worker-*.log")))

    def close(self) -> None:
        self.stop_workers()
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(10)
        if self.pg_data is not None:
            try:
                self._pg_stop()
            except ClusterError:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> LocalCluster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
