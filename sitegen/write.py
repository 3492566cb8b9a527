"""The write stage: put a whole built site in place atomically.

Everything is written to a temporary folder beside the output and swapped in with renames, so a failed
build leaves the previous site untouched and a reader never sees half a site.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from sitegen.errors import Problem, SitegenError

# Marks a folder as sitegen's output, so a mistyped --output never replaces a folder of other files.
MARKER = ".sitegen-output"


def safe_relative(path: str) -> PurePosixPath:
    """A relative output path that stays inside the output folder; anything else is a bug or an attack."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(part in ("", ".", "..") for part in pure.parts):
        raise SitegenError(Problem(path, "refusing to write outside the output folder"))
    return pure


def check_output(output: Path) -> None:
    if output.exists() and (
        not output.is_dir() or (any(output.iterdir()) and not (output / MARKER).exists())
    ):
        raise SitegenError(
            Problem(
                output, "exists and is not a sitegen output folder; refusing to replace it (choose --output)"
            )
        )


def write_site(output: Path, files: Iterable[tuple[str, bytes]]) -> None:
    """Write ``files`` (relative path, bytes) as the new content of ``output``."""
    output = output.absolute()
    check_output(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f".{output.name}.new-{os.getpid()}")
    retired = output.with_name(f".{output.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        seen: set[PurePosixPath] = set()
        for relative, data in files:
            pure = safe_relative(relative)
            if pure in seen:
                raise SitegenError(Problem(relative, "two pages claim this output path"))
            seen.add(pure)
            target = staging.joinpath(*pure.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (staging / MARKER).write_bytes(b"Built by sitegen; this folder is replaced on every build.\n")
        if output.exists():
            os.replace(output, retired)
        try:
            os.replace(staging, output)
        except OSError:
            if retired.exists():
                os.replace(retired, output)
            raise
    except OSError as exc:
        raise SitegenError(
            Problem(exc.filename or output, f"could not write the site ({exc.strerror}); previous site kept")
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
