"""The preview server against hostile or heavy clients: DNS rebinding (Host header), bursts of
connections, slow and idle connections, over-long URLs. A real server on 127.0.0.1, in process."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from test_handler import serving
from test_rebuild import TIMEOUT, rebuild_loop, small_project

from sitegen.handler import IDLE_TIMEOUT, WORKERS, PreviewHandler, allowed_host


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    with serving(rebuild_loop(small_project(tmp_path / "project", papers=3), tmp_path)) as port:
        yield port


def get(port: int, target: str = "/", host: str | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    connection.putrequest("GET", target, skip_host=True)
    connection.putheader("Host", host or f"127.0.0.1:{port}")
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_only_loopback_names_and_the_given_host_are_served(server: int):
    for host in (
        "127.0.0.1:{}",
        "localhost:{}",
        "LOCALHOST.:{}",
        "[::1]:{}",
        "127.0.0.1",
        "app.localhost:{}",
    ):
        assert get(server, host=host.format(server)) == 200, host
    for host in ("evil.example", "evil.example:{}", "127.0.0.1.evil.example", "192.168.0.9:{}", "[::1"):
        assert get(server, host=host.format(server)) == 403, host


def test_a_host_given_with_host_and_a_wildcard_listen():
    assert allowed_host("192.168.1.5:8000", "192.168.1.5") and not allowed_host("10.0.0.1", "192.168.1.5")
    assert allowed_host("preview.lan:8000", "preview.lan")
    assert allowed_host("10.0.0.2:8000", "0.0.0.0") and allowed_host("[fe80::1]:80", "::")
    assert not allowed_host("rebound.example:8000", "0.0.0.0")


def test_over_long_urls_get_414_and_long_segments_404(server: int):
    assert get(server, "/" + "a" * 8000) == 414
    assert get(server, "/papers/" + "a" * 300 + "/") == 404
    assert get(server, "/") == 200


def test_a_burst_of_connections_is_answered(server: int):
    with ThreadPoolExecutor(200) as pool:
        statuses = list(pool.map(lambda _: get(server), range(200)))
    assert statuses == [200] * 200


def test_idle_connections_are_bounded_and_closed(server: int, monkeypatch: pytest.MonkeyPatch):
    lock, handling, most = threading.Lock(), [0], [0]
    handle = PreviewHandler.handle

    def counted(self) -> None:
        with lock:
            handling[0] += 1
            most[0] = max(most[0], handling[0])
        try:
            handle(self)
        finally:
            with lock:
                handling[0] -= 1

    monkeypatch.setattr(PreviewHandler, "handle", counted)
    idle = [socket.create_connection(("127.0.0.1", server), timeout=TIMEOUT) for _ in range(WORKERS + 40)]
    time.sleep(1)
    assert 0 < most[0] <= WORKERS
    assert get(server) == 200  # answered once a worker's idle client is dropped
    assert IDLE_TIMEOUT + 5 < TIMEOUT
    for connection in idle:
        assert connection.recv(1) == b""  # closed by the server, not by our timeout
        connection.close()
