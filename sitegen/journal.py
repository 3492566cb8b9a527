"""An import's files written all or none: each text staged beside its file, then a journal naming them all,
then the renames; a run stopped part-way is finished or undone by the next (``finish_interrupted``)."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from sitegen.errors import Problem, SitegenError
from sitegen.model import JOURNAL

if TYPE_CHECKING:  # the plan's module imports this one to apply what it planned
    from sitegen.importer import ImportPlan

STAGED = ".sitegen-tmp"  # suffix of a staged file: ``<theme>/.<slug>.md.sitegen-tmp``


def _staged(path: Path) -> Path:
    return path.with_name(f".{path.name}{STAGED}")


def apply_plan(plan: ImportPlan, papers_dir: Path) -> None:
    """Write every changed file or none, recoverably: each text is staged beside its file, a journal then
    names them all, and the staged files are renamed into place. Killed before the journal exists, the
    next run removes the staged files; killed after, it finishes the renames (``finish_interrupted``)."""
    journal = papers_dir / JOURNAL
    written: list[Path] = []
    try:
        for change in plan.changes:
            change.path.parent.mkdir(parents=True, exist_ok=True)
            written.append(_staged(change.path))
            written[-1].write_text(change.text, encoding="utf-8", newline="\n")
        targets = [c.path.relative_to(papers_dir).as_posix() for c in plan.changes]
        written.append(_staged(journal))
        with open(written[-1], "w", encoding="utf-8") as file:
            json.dump(targets, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(written.pop(), journal)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        problem = Problem(exc.filename or "content", f"could not write ({exc.strerror}); nothing changed")
        raise SitegenError(problem) from None
    finish_interrupted(papers_dir)


def finish_interrupted(papers_dir: Path) -> None:
    """Finish an import that was stopped after its journal was written, and remove the staged files of one
    stopped before: either way the papers are as one whole import left them, or as before it."""
    journal = papers_dir / JOURNAL
    if journal.exists():
        try:
            targets = json.loads(journal.read_text(encoding="utf-8"))
        except ValueError:
            targets = None
        if not isinstance(targets, list) or not all(
            isinstance(t, str) and _is_paper_path(t) for t in targets
        ):
            raise SitegenError(Problem(journal, "is not an import journal sitegen wrote; delete it"))
        for target in targets:
            path = papers_dir / target
            if _staged(path).exists():
                os.replace(_staged(path), path)
        journal.unlink()
    for staged in [*papers_dir.glob(f"*/.*{STAGED}"), _staged(journal)]:
        staged.unlink(missing_ok=True)


def _is_paper_path(text: str) -> bool:
    """``<theme>/<slug>.md`` and nothing else: the journal sits among content a pull request may change."""
    parts = PurePosixPath(text).parts
    return len(parts) == 2 and not any(p.startswith(".") for p in parts) and parts[1].endswith(".md")
