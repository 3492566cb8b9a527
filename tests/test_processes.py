"""Jobs in a forked child: the result comes back whole however large, the child's exception is raised in
the parent, and a child that dies or sends half a result is a clear SitegenError, never a traceback."""

from __future__ import annotations

import os
import threading

import pytest

from sitegen.errors import SitegenError
from sitegen.processes import in_child, in_process


def large_result(papers: int) -> dict[str, bytes]:
    """Many pieces, far more than a pipe holds at once (as the search index of a large site)."""
    return {f"piece-{n}": bytes([n % 251]) * (1000 + n) for n in range(papers)}


def test_a_large_result_comes_back_equal_to_the_same_work_in_process():
    assert in_child(large_result, 3000)() == in_process(large_result, 3000)()


def fails(message: str) -> None:
    raise SitegenError(message)


def test_the_childs_exception_is_raised_in_the_parent():
    with pytest.raises(SitegenError, match="a curator's mistake"):
        in_child(fails, "a curator's mistake")()


def dies() -> None:
    os._exit(3)


class HalfPicklable:
    """Pickles as far as its second field, then fails: the stream the parent reads stops in the middle."""

    def __init__(self) -> None:
        self.first = b"x" * 200_000
        self.lock = threading.Lock()  # cannot be pickled


@pytest.mark.parametrize("job", [dies, HalfPicklable])
def test_a_child_that_dies_or_sends_half_a_result_is_a_clear_error(job):
    with pytest.raises(SitegenError, match="a build process died"):
        in_child(job)()
