"""The preview server's watcher: which paths can change the site, and a watchdog observer that reports
each change to a callback (the rebuild loop's ``notice``), doing nothing else on watchdog's thread."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

SOURCE_FOLDERS = ("content", "templates", "static")
# Editor droppings and our own temporary files: saving a file must not rebuild twice (or forever).
_IGNORED_NAME = re.compile(r"\.sw[a-p]$|\.swpx$|~$|\.tmp$|^\.#|^#.*#$|^4913$|\.sitegen-tmp|^\.DS_Store$")
_IGNORED_DIRS = {".git", "__pycache__", ".sitegen-tmp"}
# Opening a file is not changing it (the build itself opens every file); a folder's "modified" only says
# something inside it changed, which has its own event.
_KINDS = {"created", "modified", "deleted", "moved"}


def watched_paths(root: Path, config_file: Path) -> list[tuple[Path, bool]]:
    """(folder, recursive) pairs to watch: the sources, and the root itself only for the config file."""
    folders = [(root / name, True) for name in SOURCE_FOLDERS if (root / name).is_dir()]
    return [*folders, (config_file.parent, False)]


def is_source(path: str, root: Path, output: Path, config_file: Path) -> bool:
    """Whether a changed path can change the site (and is not an editor's or our own temporary file)."""
    candidate = Path(path)
    if candidate == config_file:
        return True
    if candidate == output or output in candidate.parents:
        return False
    try:
        parts = candidate.relative_to(root).parts
    except ValueError:
        return False
    return (
        len(parts) > 1
        and parts[0] in SOURCE_FOLDERS
        and not _IGNORED_DIRS.intersection(parts)
        and not _IGNORED_NAME.search(parts[-1])
    )


def start_watching(notice: Callable[[str], None], root: Path, output: Path, config_file: Path) -> Any:
    """A started watchdog Observer (a daemon thread) that calls ``notice`` with every relevant path."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type not in _KINDS or (event.is_directory and event.event_type == "modified"):
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                path = os.fsdecode(raw) if raw else ""
                if path and is_source(path, root, output, config_file):
                    notice(path)

    observer = Observer()
    handler = Handler()
    for folder, recursive in watched_paths(root, config_file):
        observer.schedule(handler, str(folder), recursive=recursive)
    observer.daemon = True
    observer.start()
    return observer
