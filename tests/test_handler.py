"""The preview server's HTTP handler, in process on a free loopback port: what it serves and refuses."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from conftest import snapshot
from test_rebuild import TIMEOUT, rebuild_loop, small_project

from sitegen.handler import PreviewServer
from sitegen.rebuild import RebuildLoop
from sitegen.reload import SCRIPT_URL


@contextmanager
def serving(loop: RebuildLoop) -> Iterator[int]:
    """The handler on a free loopback port in a thread, serving ``loop``'s folder; yields the port."""
    httpd = PreviewServer(("127.0.0.1", 0), loop)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        loop.stop()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RebuildLoop, int]]:
    """One server for the handler tests, which only read."""
    tmp_path = tmp_path_factory.mktemp("handler")
    root = small_project(tmp_path / "project", papers=3)
    (tmp_path / "served" / "secret.txt").parent.mkdir(parents=True)
    (tmp_path / "served" / "secret.txt").write_text("do not serve me")
    loop = rebuild_loop(root, tmp_path)
    with serving(loop) as port:
        yield loop, port


def raw_get(port: int, target: str) -> tuple[int, dict[str, str], bytes]:
    """A GET with the request target exactly as given (http.client does not normalise it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    connection.putrequest("GET", target, skip_host=True)
    connection.putheader("Host", f"127.0.0.1:{port}")
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/papers/../../secret.txt",
        "/..%5csecret.txt",
        "/%2Fetc%2Fpasswd",
        "//etc/passwd",
        "/etc/passwd",
        "http://127.0.0.1/../secret.txt",
        "/%00",
    ],
)
def test_traversal_is_refused(server, target: str):
    _, port = server
    status, _, body = raw_get(port, target)
    assert status in (400, 403, 404), status
    assert b"do not serve me" not in body and b"root:" not in body


def test_script_is_injected_into_html_only_and_never_written(server):
    loop, port = server
    status, headers, body = raw_get(port, "/papers/paper-1/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body.count(SCRIPT_URL.encode()) == 1 and body.index(SCRIPT_URL.encode()) < body.rindex(b"</body>")
    status, headers, script = raw_get(port, SCRIPT_URL)
    assert (
        status == 200 and b"EventSource" in script and b"textContent" in script and b"innerHTML" not in script
    )
    for target in ("/feed.xml", "/papers.json", "/static/style.css"):
        status, _, body = raw_get(port, target)
        assert status == 200 and SCRIPT_URL.encode() not in body, target
    assert not any(b"__sitegen" in data for data in snapshot(loop.output).values())
    status, headers, _ = raw_get(port, "/papers")
    assert status == 302 and headers["Location"] == "/papers/"
    status, _, body = raw_get(port, "/no/such/page/")
    assert status == 404 and SCRIPT_URL.encode() in body
