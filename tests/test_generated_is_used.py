"""Nothing generated is dead: every module codegen writes is imported by another module of the package or of the
hand-written code (the generator's own unused client, endpoint functions, `errors.py` and `types.py` are not
emitted, and the spec ships once)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
SOURCES = [ROOT / "src", GENERATED]


def module_name(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_by(path: Path, base: Path) -> set[str]:
    """Every module an import statement of `path` may load (for `from a import b`: `a` and `a.b`)."""
    name = module_name(path, base)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                target = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    found.discard(name)
    return found


def test_every_generated_module_is_imported_by_another() -> None:
    generated = {module_name(path, GENERATED): path for path in GENERATED.rglob("*.py")}
    assert len(generated) > 40
    imports: set[str] = set()
    for base in SOURCES:
        for path in base.rglob("*.py"):
            imports |= imported_by(path, base)
    # A package counts as imported when one of its modules is: importing the module loads the package first.
    loaded = imports | {name.rpartition(".")[0] for name in imports}
    unused = sorted(name for name in generated if name not in loaded and name != "plaid_partner_insights_generated")
    assert unused == [], f"generated modules nothing imports: {unused}"


def test_the_generators_unused_files_are_not_emitted() -> None:
    package = GENERATED / "plaid_partner_insights_generated"
    assert not (package / "client" / "types.py").exists()
    assert not (package / "openapi.yaml").exists()  # the spec ships once, as openapi.json
    errors = (package / "client" / "errors.py").read_text()
    assert "UnexpectedStatus" not in errors  # the generator's own error class, which nothing raises
    client = (package / "client" / "client.py").read_text()
    assert "AuthenticatedClient" not in client
