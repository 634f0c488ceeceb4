"""The layering rule `make lint` checks: no module under a service's domain/ or service_layer/
imports generated protobuf code (eco.v1); translation lives at the edge, in entrypoints/.

Run as `python -m shared.layers`; exits 1 naming each offending import.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("eco",)  # the generated package (eco.v1 and anything under it)
INNER_LAYERS = ("domain", "service_layer")


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in a module, including `from x import y` as x."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _forbidden(module: str) -> bool:
    return any(module == root or module.startswith(root + ".") for root in FORBIDDEN)


def violations(root: Path = ROOT) -> list[str]:
    """Every import of generated code from an inner layer, as "path:line: imports module"."""
    found = []
    for layer in INNER_LAYERS:
        for path in sorted(root.glob(f"services/*/{layer}/**/*.py")):
            rel = path.relative_to(root).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
            found += [
                f"{rel}:{line}: imports {module} (translate in entrypoints/ instead)"
                for line, module in imported_modules(tree)
                if _forbidden(module)
            ]
    return found


def main() -> int:
    """Print the violations; 1 if there are any."""
    found = violations()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
