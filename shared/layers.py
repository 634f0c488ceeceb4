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
# Modules still to move their protobuf to entrypoints/ (issue 8, monitoring's read side and events).
# Shrink this list; never grow it.
PENDING = frozenset(
    {
        "services/monitoring/service_layer/history.py",
        "services/monitoring/service_layer/messages.py",
        "services/monitoring/service_layer/queries.py",
        "services/monitoring/service_layer/recording.py",
        "services/monitoring/service_layer/section_classes.py",
        "services/monitoring/service_layer/stations.py",
    }
)


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
            if rel in PENDING:
                continue
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
    stale = [p for p in sorted(PENDING) if not (ROOT / p).exists()]
    for path in stale:
        print(f"{path}: listed in shared/layers.py PENDING but gone; remove it from the list")
    return 1 if found or stale else 0


if __name__ == "__main__":
    sys.exit(main())
