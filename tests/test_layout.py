"""The stages stay out of storage: ingest/, weave/, analyze/ and brief/ get what they need from
their caller."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "newsweave"
# What a stage may not reach for: the store, the weaver's story queries, or the code that calls
# it. The embedding model (wherever it lives) is a tool, not storage.
FORBIDDEN = ("newsweave.store", "newsweave.weave", "newsweave.pipeline", "newsweave.cli")


def _forbidden(name: str) -> bool:
    return name.startswith(FORBIDDEN) and not name.endswith(".embed")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["analyze", "brief"])
def test_stage_packages_do_not_import_the_store_or_their_callers(package: str) -> None:
    modules = sorted((SRC / package).glob("*.py"))
    assert len(modules) > 1
    for module in modules:
        bad = {n for n in _imports(module) if _forbidden(n)}
        assert not bad, (module.name, bad)


@pytest.mark.parametrize("package", ["ingest", "weave"])
def test_ingest_and_weave_do_not_import_the_store_or_their_callers(package: str) -> None:
    # The Weaver is a stage that needs storage: it declares what it needs as a Protocol
    # (weave/storage.py) and is handed the store's implementation by its caller.
    callers = ("newsweave.store", "newsweave.pipeline", "newsweave.cli")
    modules = sorted((SRC / package).glob("*.py"))
    assert len(modules) > 1
    for module in modules:
        bad = {n for n in _imports(module) if n.startswith(callers)}
        assert not bad, (module.name, bad)


def test_every_analyzer_shares_one_model() -> None:
    from newsweave.analyze import Analyzer, analyze

    assert Analyzer().nlp is Analyzer().nlp
    text = "Jane Roe said 40 inspectors had quit on 3 March."
    from datetime import date

    ref = date(2024, 10, 17)
    assert analyze(text, ref) == Analyzer().analyze(text, ref)
