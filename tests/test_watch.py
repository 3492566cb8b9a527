"""The preview server's watcher: which changed paths rebuild the site."""

from __future__ import annotations

from pathlib import Path

from sitegen.watch import is_source


def test_watcher_ignores_output_editor_and_temp_files(tmp_path: Path):
    root, output, config = tmp_path, tmp_path / "site", tmp_path / "sitegen.yaml"
    yes = ["content/papers/vision/a.md", "templates/paper.html", "static/style.css", "content/themes.yaml"]
    no = [
        "content/papers/vision/.a.md.swp",
        "content/papers/vision/a.md~",
        "content/papers/vision/.#a.md",
        "content/papers/vision/4913",
        "content/papers/vision/a.md.tmp",
        "content/papers/vision/.a.md.sitegen-tmp",
        "templates/__pycache__/x.pyc",
        "content/.git/index",
        "site/index.html",
        "README.md",
    ]
    assert all(is_source(str(root / p), root, output, config) for p in yes)
    assert not any(is_source(str(root / p), root, output, config) for p in no)
    assert is_source(str(config), root, output, config)
