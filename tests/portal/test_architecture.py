"""The map in docs/architecture.md, kept by a machine: the import contracts of pyproject.toml, no
private name reached across modules, and every task a service enqueues by name exists."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "api", "events", "gwangmyeong_portal", "matchmaking", "notifications", "partners", "programs",
        "reports"]


def source_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_the_import_contracts_hold():
    """import-linter (contracts in pyproject.toml): app layers, plumbing below every app, views |
    admin | tasks > services > selectors > models inside each app, no circles, private modules."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def private_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    yield node.lineno, f"from {'.' * node.level}{node.module or ''} import {alias.name}"
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.attr.startswith("_") and not node.attr.startswith("__")
              and node.value.id in {"services", "selectors", "models", "tasks", "sending", "sessions", "profiles"}):
            yield node.lineno, f"{node.value.id}.{node.attr}"


def test_no_private_name_is_imported_from_another_module():
    """A helper two modules need is public in the module that owns it (or in a private module of
    the package, whose names are public to that package): nobody reaches for ``_name`` elsewhere."""
    found = [f"{path.relative_to(ROOT)}:{line}: {text}" for path in source_files()
             for line, text in private_imports(path)]
    assert found == []


def test_the_contract_fails_on_a_circle(tmp_path):
    """The contract is not decorative: a services module that imports its tasks breaks it."""
    lint = Path(sys.executable).with_name("lint-imports")
    package = tmp_path / "demoapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("def run():\n    from . import tasks\n")
    (package / "tasks.py").write_text("from . import services\n")
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = demoapp\n\n[importlinter:contract:circles]\n"
        "name = circles\ntype = acyclic_siblings\nancestors =\n    demoapp\n")
    result = subprocess.run([str(lint), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0 and "BROKEN" in result.stdout


TASK_NAME = re.compile(rf"^({'|'.join(APPS)})\.tasks\.[a-z_]+$")


def task_names_in_source():
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and TASK_NAME.match(node.value):
                yield path.relative_to(ROOT), node.value


@pytest.mark.parametrize(("path", "name"), sorted(set(task_names_in_source())))
def test_every_task_named_in_the_code_is_registered(path, name):
    """Services enqueue by name (gwangmyeong_portal.enqueue) and beat schedules by name: a typo
    or a renamed task fails here, not in production."""
    from gwangmyeong_portal.enqueue import task_by_name

    assert task_by_name(name).name == name
