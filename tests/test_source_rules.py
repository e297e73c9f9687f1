"""Rules about the source itself: checked by reading it, so they cannot quietly erode."""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import reflector
from reflector.video_platforms.registry import PLATFORMS
from tests.support import platform_paths

SOURCE = Path(reflector.__file__).parent
SECRET_NAME = re.compile(r"sig|signature|hmac|token|secret", re.IGNORECASE)


def python_files() -> list[Path]:
    return sorted(SOURCE.rglob("*.py"))


def operand_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return operand_name(node.func)
    return ""


def test_secrets_are_never_compared_with_equality():
    offending = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and any(
                isinstance(op, ast.Eq | ast.NotEq) for op in node.ops
            ):
                names = [operand_name(n) for n in [node.left, *node.comparators]]
                if any(SECRET_NAME.search(name) for name in names):
                    offending.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert offending == [], "compare secrets with hmac.compare_digest"


def test_core_code_never_names_a_platform():
    platform_dir = SOURCE / "video_platforms"
    names = {spec.slug for spec in PLATFORMS} | {"whereby", "daily", "jitsi"}
    pattern = re.compile(r"[\"'](" + "|".join(sorted(names)) + r")[\"']")
    offending = [
        str(path.relative_to(SOURCE))
        for path in python_files()
        if not path.is_relative_to(platform_dir) and "migrations" not in path.parts
        if pattern.search(path.read_text())
    ]
    # Default values of settings and of the `platform` columns: configuration, not branching.
    assert set(offending) == {"config/settings.py", "db/tables.py"}


def test_the_service_never_answers_410():
    """A 410 tells a webhook sender to disable the endpoint (Standard Webhooks)."""
    answering = re.compile(r"HTTPException\(\s*410|status_code\s*=\s*410|HTTP_410")
    for path in python_files():
        assert not answering.search(path.read_text()), path


def test_platform_slugs_and_routes_are_unique():
    slugs = [spec.slug for spec in PLATFORMS]
    paths = [path for spec in PLATFORMS for path in platform_paths(spec)]
    assert len(set(slugs)) == len(slugs)
    assert len(set(paths)) == len(paths)


def test_exports_match_all():
    for module_info in pkgutil.walk_packages(reflector.__path__, "reflector."):
        if module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for name in getattr(module, "__all__", []):
            assert hasattr(module, name), f"{module_info.name}.__all__ lists missing {name}"
