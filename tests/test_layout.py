"""The test suite's own layout: test modules share helpers through ``helpers.py``, ``factories.py``
and fixtures, never by importing another test module or a ``conftest.py``."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_modules(path: Path) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
            modules += [f"{node.module}.{alias.name}" for alias in node.names]
    return modules


def _is_test_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "tests" and any(p.startswith("test_") or p == "conftest" for p in parts)


def test_no_module_of_the_suite_imports_a_test_module_or_a_conftest() -> None:
    imports = {
        str(path.relative_to(TESTS.parent)): sorted(
            set(filter(_is_test_module, _imported_modules(path)))
        )
        for path in sorted(TESTS.rglob("*.py"))
    }

    assert {path: modules for path, modules in imports.items() if modules} == {}


def test_the_import_check_recognises_test_modules_and_conftests() -> None:
    assert _is_test_module("tests.devices.test_ingest_ws")
    assert _is_test_module("tests.wellness.classes.conftest")
    assert _is_test_module("tests.conftest")
    assert not _is_test_module("tests.devices.helpers")
    assert not _is_test_module("tests.factories")
    assert not _is_test_module("wellness.tests_helpers")
