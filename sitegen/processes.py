"""Work beside the build: the cycle collector paused while it runs, and jobs in a forked child (the
second core) or, where a process cannot fork safely, in this one when their result is asked for."""

from __future__ import annotations

import gc
import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sitegen.errors import SitegenError

T = TypeVar("T")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector walks every live object, and a build keeps a great many alive while it
    allocates millions more (few of them in cycles): rendering 10,000 papers spent a third of its time
    there. It waits until the build is done; what survived is then frozen, so that later collections
    (the preview server's next rebuild) skip it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def collect_frozen_garbage() -> None:
    """Frozen objects are never examined, so cycles a build left behind stay until this full collection
    (a long-running preview server calls it now and then, between rebuilds)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def in_process(function: Callable[..., T], *args: object) -> Callable[[], T]:
    """``in_child``'s serial twin: the work runs when its result is asked for."""
    return lambda: function(*args)


def in_child(function: Callable[..., T], *args: object) -> Callable[[], T]:
    """Start ``function(*args)`` in a forked child process (the other core); returns a function that waits
    for its result. The child inherits the arguments, and only the result crosses a pipe."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child: coverage cannot follow it
        os.close(reader)
        try:
            with os.fdopen(writer, "wb") as pipe:
                try:
                    outcome = (True, function(*args))
                except BaseException as exc:  # the parent re-raises it, with the build's usual handling
                    outcome = (False, exc)
                # Streamed, a frame at a time: a large result (the search index of 100,000 papers) is
                # never whole in memory a second time as pickled bytes, here or in the parent.
                pickle.dump(outcome, pipe)
        finally:
            os._exit(0)
    os.close(writer)

    def result() -> T:
        with os.fdopen(reader, "rb") as pipe:
            try:
                ok, value = pickle.load(pipe)
            except (EOFError, pickle.UnpicklingError):  # nothing or a part came: the child died
                ok, value = None, None
        os.waitpid(pid, 0)
        if ok is None:
            raise SitegenError("a build process died; run the build again")
        if not ok:
            raise value
        return value

    return result
