"""A real ``redis-server`` on 127.0.0.1 for tests and benchmarks.

    with RedisServer() as server:          # free port, temporary directory, no persistence
        client = redis.Redis.from_url(server.url)

    def test_x(redis_url): ...             # pytest fixture (import it into the test module);
                                           # skips the test when the redis-server binary is missing

Started as a child process with ``--save '' --appendonly no`` and stopped (terminate, then kill)
on exit, so nothing outlives the test session.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time

import pytest


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, binary: str | None = None):
        self.binary = binary or redis_server_binary()
        if not self.binary:
            raise FileNotFoundError("redis-server not found on PATH (Debian package redis-server)")
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = tempfile.TemporaryDirectory(prefix="redis-test-")
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                self._dir.name,
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with code {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.__exit__(None, None, None)
        raise RuntimeError("redis-server did not answer within 10 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._dir.cleanup()


@pytest.fixture(scope="module")
def redis_url():
    """URL of a redis-server started for this test module; skips when the binary is missing."""
    if not redis_server_binary():
        pytest.skip("redis-server binary not installed")
    with RedisServer() as server:
        yield server.url
