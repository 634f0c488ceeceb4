"""The layering check finds an inner layer importing generated code, and passes the repository."""

from __future__ import annotations

from pathlib import Path

from shared import layers


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_an_inner_layer_importing_eco_is_reported_and_entrypoints_are_not(tmp_path: Path) -> None:
    _write(tmp_path, "services/x/domain/rules.py", "from eco.v1 import x_pb2\n")
    _write(tmp_path, "services/x/service_layer/uses.py", "import eco.v1.x_pb2\nimport economy\n")
    _write(tmp_path, "services/x/entrypoints/messages.py", "from eco.v1 import x_pb2\n")
    found = layers.violations(tmp_path)
    assert found == [
        "services/x/domain/rules.py:1: imports eco.v1 (translate in entrypoints/ instead)",
        "services/x/service_layer/uses.py:1: imports eco.v1.x_pb2 (translate in entrypoints/ instead)",
    ]


def test_the_repository_keeps_the_rule() -> None:
    assert layers.violations() == []
