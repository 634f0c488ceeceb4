"""python -m tests.boundaries: fail if a package imports what its boundary forbids (run by `make lint`).

The gateway talks to services over gRPC only and serves the platform's data, not the demo's: nothing
under gateway/ imports `services` or `deploy` (issue 8). `shared/` is what every service and the gateway
build on (the runtime, the standards' pure rules such as shared/hj633.py), so it imports none of them.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# package directory -> top-level packages it must not import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "gateway": ("services", "deploy"),
    "shared": ("services", "gateway", "deploy"),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a Python file (relative imports resolved as written)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def violations(repo: Path = REPO) -> list[str]:
    """Every forbidden import, as "path:line imports module"."""
    out = []
    for package, banned in FORBIDDEN.items():
        for path in sorted((repo / package).rglob("*.py")):
            for line, module in imported_modules(path):
                if module.split(".")[0] in banned:
                    out.append(f"{path.relative_to(repo)}:{line} imports {module}")
    return out


if __name__ == "__main__":
    problems = violations()
    for problem in problems:
        print(problem, file=sys.stderr)
    sys.exit(1 if problems else 0)
