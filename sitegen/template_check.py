"""Template mistakes, found before any page renders and located in the template's own file: syntax errors
(``templates/base.html:41: ...``), and the inheritance mistake Jinja accepts silently, a child template's
block that its parent (or the parent's parents) never defines, which is never rendered: renaming
``{% block main %}`` would blank every page."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jinja2
from jinja2 import nodes

from sitegen.errors import Problem
from sitegen.fields import did_you_mean


def template_problems(
    env: jinja2.Environment, sources: Mapping[str, str], templates_dir: Path
) -> list[Problem]:
    """Each template's syntax error, and each top-level block of a child template no ancestor defines."""
    trees: dict[str, nodes.Template] = {}
    problems = []
    for name, text in sources.items():
        try:
            trees[name] = env.parse(text, name)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(
                Problem(templates_dir / name, f"template syntax error: {exc.message}", exc.lineno)
            )
    for name, tree in trees.items():
        parent = _parent(tree)
        if parent is None or parent not in trees:
            continue
        defined = _defined_blocks(parent, trees, set())
        for block in (node for node in tree.body if isinstance(node, nodes.Block)):
            if block.name not in defined:
                meant = did_you_mean(block.name, defined)
                fix = f"did you mean '{meant}'?" if meant else f"use one of: {', '.join(sorted(defined))}"
                message = f"block '{block.name}' is not a block of {parent}: its content never shows; {fix}"
                problems.append(Problem(templates_dir / name, message, block.lineno))
    return problems


def _parent(tree: nodes.Template) -> str | None:
    extends = next(tree.find_all(nodes.Extends), None)
    if extends is None or not isinstance(extends.template, nodes.Const):
        return None
    return str(extends.template.value)


def _defined_blocks(name: str, trees: Mapping[str, nodes.Template], seen: set[str]) -> set[str]:
    """Every block a template and its ancestors define, nested ones included."""
    if name in seen or name not in trees:
        return set()
    seen.add(name)
    blocks = {block.name for block in trees[name].find_all(nodes.Block)}
    parent = _parent(trees[name])
    return blocks | (_defined_blocks(parent, trees, seen) if parent else set())
