"""The preview server's rebuild loop: debounce the watcher's changes, rebuild with one long-lived builder,
bring the served folder up to date, and tell request handlers and open pages what changed.

The watcher only calls ``notice``. One loop thread waits for a quiet moment (a burst of saves is one
rebuild) and rebuilds. Requests wait while changes are pending or a build runs (``settled``), so a
half-built site is never served. Each rebuild that changes something moves a token on, which the event
stream turns into ``reload`` or ``error`` (see ``sitegen.reload``). The clock is injectable, so tests drive
the loop without sleeping.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sitegen.errors import Problem, problems_from
from sitegen.write import update_site, write_site

DEBOUNCE = 0.05  # seconds of quiet that end a burst of saves (an editor's save takes a few ms)
MAX_DEBOUNCE = 1.0  # a never-ending stream of saves still rebuilds this often
REQUEST_WAIT = 30.0  # longest a request waits for a rebuild before it gets what is on disk
KEEPALIVE_EVERY = 15.0  # seconds between keep-alive comments on an idle event stream
# Rebuilds between two full collections of what builds left in reference cycles (see
# sitegen.build.collector_paused): a few hundred objects each; a full collection of a large site takes
# a few hundred milliseconds, so it is done rarely and after the reload, never before it.
COLLECT_EVERY = 20

Report = Callable[[str, bool], None]  # (line, is it for stderr)


class BuilderLike(Protocol):
    """What the loop needs of ``sitegen.build.Builder`` (tests pass a fake)."""

    def render(self, timings: Any) -> Any: ...


@dataclass(frozen=True)
class Outcome:
    """What one rebuild did, for the terminal and for tests."""

    problems: tuple[Problem, ...]  # empty when the build succeeded
    pages_rendered: int = 0
    files_written: int = 0
    seconds: float = 0.0


class RebuildLoop:
    """The served folder and everything that changes it, behind one condition variable."""

    def __init__(
        self,
        make_builder: Callable[[], BuilderLike],
        output: Path,
        config_file: Path | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        delay: float = DEBOUNCE,
        report: Report | None = None,
    ) -> None:
        self.output = output
        self.config_file = config_file
        self.delay = delay
        self.rebuilds = 0
        self.base_path = "/"
        self.problems: tuple[Problem, ...] = ()
        self._make_builder = make_builder
        self._builder: BuilderLike | None = None
        self._clock = clock
        self._report = report or (lambda message, err: None)
        self._cond = threading.Condition()
        self._changed: set[str] = set()
        self._first_change = self._last_change = 0.0
        self._building = False
        self._stopping = False
        self._written: dict[str, bytes] | None = None  # what the folder holds; None until a build succeeds
        self._lagging: frozenset[str] = (
            frozenset()
        )  # files the last rebuild brings up to date after the reload
        self._warnings: tuple[str, ...] = ()
        # A new token per server run, so a page from an earlier run reloads when its stream reconnects.
        self._session = uuid.uuid4().hex[:8]
        self._generation = 0  # pages changed
        self._data_generation = 0  # only the files that may lag changed

    # --- what the watcher and the loop thread do --------------------------------------------------

    def notice(self, path: str) -> None:
        """Record that a source file changed; cheap, called from watchdog's thread."""
        with self._cond:
            now = self._clock()
            if not self._changed:
                self._first_change = now
            self._changed.add(path)
            self._last_change = now
            self._cond.notify_all()

    def _quiet_for(self) -> float:
        """Seconds until the pending burst counts as over (0: rebuild now)."""
        now = self._clock()
        return max(0.0, min(self._last_change + self.delay, self._first_change + MAX_DEBOUNCE) - now)

    def step(self) -> Outcome | None:
        """Rebuild if changes are pending and quiet; None if there was nothing to do yet."""
        with self._cond:
            if not self._changed or self._quiet_for() > 0:
                return None
            changed, self._changed = self._changed, set()
            self._building = True
        return self.rebuild(changed)

    def run(self) -> None:
        """The loop thread: wait for changes, wait for quiet, rebuild; until ``stop``."""
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._changed or self._stopping)
                while not self._stopping and (left := self._quiet_for()) > 0:
                    self._cond.wait(left)
                if self._stopping:
                    return
            self.step()

    def stop(self) -> None:
        """End the loop and all writing: once this returns, no write is under way and none will start."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def rebuild(self, changed: Iterable[str] = ()) -> Outcome:
        """One rebuild (the first one builds everything). Never raises: a failure becomes ``problems``."""
        with self._cond:
            self._building = True
        start = time.perf_counter()
        later = None
        try:
            rendered = self._render(set(changed))
            with self._cond:  # nobody reads while we write (requests also wait on `_building`)
                written = self._write(rendered.files)
                self._lagging = rendered.lagging if rendered.later else frozenset()
            self._show_warnings(tuple(str(w) for w in rendered.warnings))
            outcome = Outcome((), rendered.pages_rendered, written, time.perf_counter() - start)
            later = rendered.later
        except Exception as exc:  # the server must outlive any broken file, and even a bug
            outcome = Outcome(problems_from(exc), seconds=time.perf_counter() - start)
        before = self._publish(outcome)
        if self._stopping:  # the server is shutting down: this build was thrown away
            return outcome
        self._announce(outcome, recovered=bool(before) and not outcome.problems)
        self._after_reload(later)
        return outcome

    def _render(self, changed: set[str]) -> Any:
        if self._builder is None or any(Path(p) == self.config_file for p in changed):
            self._builder = None  # a config that fails to load is retried on the next change
            self._builder = self._make_builder()
            self.base_path = getattr(getattr(self._builder, "config", None), "base_path", "/")
        from sitegen.build import Timings  # lazily: keeps this module importable on its own

        return self._builder.render(Timings())

    def _write(self, files: list[tuple[str, bytes]]) -> int:
        """Bring the folder to ``files``. Returns the number of files written or deleted."""
        if self._stopping:
            return 0
        if self._written is None:  # the first time: the same atomic full write as `sitegen build`
            written = dict(files)
            count = write_site(self.output, files)
            self._written = written
            return count
        return update_site(self.output, self._written, files)

    def _publish(self, outcome: Outcome) -> tuple[Problem, ...]:
        """Make the outcome visible to requests and event streams; returns the problems before it."""
        with self._cond:
            before = self.problems
            self.problems = outcome.problems
            self.rebuilds += 1
            if outcome.files_written or outcome.problems != before:
                self._generation += 1
            self._building = False
            self._cond.notify_all()
        return before

    def _after_reload(self, later: Callable[[], list[tuple[str, bytes]]] | None) -> None:
        """What waits until browsers were told to reload: the lagging data files and garbage."""
        with self._cond:
            # Saves that came in meanwhile are rebuilt first: their rebuild brings its own data files.
            superseded = bool(self._changed)
        if later is not None and not superseded:
            self._write_later(later)
        with self._cond:
            self._lagging = frozenset()  # written, or left to the rebuild that superseded this one
            self._cond.notify_all()
        if self.rebuilds % COLLECT_EVERY == 0 and not superseded:
            from sitegen.processes import collect_frozen_garbage

            collect_frozen_garbage()

    def _write_later(self, later: Callable[[], list[tuple[str, bytes]]]) -> None:
        """Files that may lag the pages (the search index): made after browsers were told to reload, and
        written without holding up requests for pages. A search page reloads once they are in."""
        try:
            files = later()
        except Exception as exc:  # a bug, not a content problem (content was loaded already)
            for problem in problems_from(exc):
                self._report(str(problem), True)
            return
        with self._cond:
            if self._stopping or self._written is None:
                return
            # The lagging files the new data no longer has (the search index may come in fewer pieces)
            # go, as a clean build would not have them.
            made = dict(files)
            replaced = self._lagging | made.keys()
            kept = [(name, data) for name, data in self._written.items() if name not in replaced]
            if update_site(self.output, self._written, [*kept, *made.items()]):
                self._data_generation += 1
                self._cond.notify_all()

    def _show_warnings(self, warnings: tuple[str, ...]) -> None:
        """Content warnings, printed when they change (not again on every rebuild)."""
        if warnings != self._warnings:
            for line in warnings:
                self._report(line, True)
            self._warnings = warnings

    def _announce(self, outcome: Outcome, recovered: bool) -> None:
        if outcome.problems:
            for problem in outcome.problems:
                self._report(str(problem), True)
            self._report("Rebuild failed: serving the last good build. Save a fix and it rebuilds.", True)
        else:
            self._report(
                f"Rebuilt in {outcome.seconds * 1000:.0f} ms: {outcome.pages_rendered} pages rendered, "
                f"{outcome.files_written} files written" + (" (errors fixed)" if recovered else ""),
                False,
            )

    # --- what request handlers ask ----------------------------------------------------------------

    @property
    def token(self) -> str:
        """Which build the folder holds: session, pages generation, data generation."""
        return f"{self._session}.{self._generation}.{self._data_generation}"

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def has_site(self) -> bool:
        """Whether a build has succeeded yet (before that the folder holds nothing to serve)."""
        return self._written is not None

    @contextmanager
    def settled(self, path: str = "", timeout: float = REQUEST_WAIT) -> Iterator[None]:
        """Hold the site still: wait until no change is pending and no build runs (and, for a file that
        lags the pages, until it is up to date too), then keep builds out. ``path`` is relative to the
        folder."""

        def still() -> bool:
            return self._stopping or not (self._building or self._changed or path in self._lagging)

        with self._cond:
            self._cond.wait_for(still, timeout)
            yield

    def next_event(self, since: str, timeout: float = KEEPALIVE_EVERY) -> tuple[str, str] | None:
        """Wait until the token moves past ``since``; returns (token, event name) or None on timeout.
        The event is ``error`` while the last rebuild failed, ``data`` when only the search index changed
        (a search page reloads), else ``reload``."""
        with self._cond:
            self._cond.wait_for(lambda: self._stopping or self.token != since, timeout)
            if self._stopping or self.token == since:
                return None
            if self.problems:
                return self.token, "error"
            pages_changed = self.token.rsplit(".", 1)[0] != since.rsplit(".", 1)[0]
            return self.token, "reload" if pages_changed else "data"
