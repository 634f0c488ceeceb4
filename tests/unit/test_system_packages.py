"""Every external program and shared library the project uses is in deploy/system-packages.txt.

A test that needs a program the list does not bring passes on the machine that happened to have it
and fails on a fresh one (zbar and pdftoppm did exactly that). This walks the Python code for
programs it runs or looks up and libraries it loads, and the shell scripts for the commands they
require, and checks each against what the list provides.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LIST = REPO / "deploy" / "system-packages.txt"
PYTHON_TREES = ["shared", "services", "gateway", "deploy", "bench", "tests"]
SHELL_SCRIPTS = [*sorted((REPO / "deploy").rglob("*.sh")), REPO / ".ci" / "run"]
# Debian's essential packages are on every machine of the kind; nothing to list for them.
ESSENTIAL = {"bash", "sh", "env", "kill", "sleep", "tail", "grep", "sed", "awk", "timeout", "setsid"}
# Python packages that load a system library when imported (ctypes under the hood).
WRAPPERS = {"pyzbar": "zbar"}
SUBPROCESS_CALLS = {"run", "Popen", "check_call", "check_output", "call"}


def provided() -> dict[str, set[str]]:
    """kind -> names the list provides (program, library, path, module)."""
    found: dict[str, set[str]] = {}
    for line in LIST.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        _package, *provides = line.split()
        for item in provides:
            kind, _, name = item.partition(":")
            found.setdefault(kind, set()).add(name)
    return found


def _first_string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.List | ast.Tuple) and node.elts:
        head = node.elts[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value
    return None


def _called_name(call: ast.Call) -> tuple[str, str]:
    """(owner, attribute) of `owner.attribute(...)`, or ("", name) of `name(...)`."""
    func = call.func
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        return owner, func.attr
    return ("", func.id) if isinstance(func, ast.Name) else ("", "")


def uses_in_python(source: str) -> Iterator[tuple[str, str]]:
    """(kind, name) of every program or library a module runs, looks up or loads."""
    tree = ast.parse(source)
    lists: dict[str, str] = {}  # variable -> first element of the list literal assigned to it
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and (head := _first_string(node.value)):
            lists.update({t.id: head for t in node.targets if isinstance(t, ast.Name)})
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if (top := module.split(".")[0]) in WRAPPERS:
                    yield "library", WRAPPERS[top]
        if not isinstance(node, ast.Call) or not node.args:
            continue
        owner, name = _called_name(node)
        arg = node.args[0]
        literal = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
        if (owner, name) == ("shutil", "which") and literal:
            yield "program", literal
        elif name == "find_library" and literal:
            yield "library", literal
        elif name == "CDLL" and literal and (m := re.match(r"lib([\w+-]+)\.so", literal)):
            yield "library", m.group(1)
        elif owner == "subprocess" and name in SUBPROCESS_CALLS:
            program = _first_string(arg) or (lists.get(arg.id) if isinstance(arg, ast.Name) else None)
            if program:
                yield "program", program


def uses_in_shell(script: str) -> Iterator[tuple[str, str]]:
    """Programs a shell script requires: `need_cmd NAME` and `command -v NAME`."""
    for match in re.finditer(r"(?:need_cmd|command -v)\s+\"?([\w.+-]+)", script):
        yield "program", match.group(1)


def unlisted() -> list[str]:
    """Uses of programs and libraries that the list does not provide, with where they are."""
    have = provided()
    problems = []
    sources = [
        (p, uses_in_python(p.read_text())) for t in PYTHON_TREES for p in sorted((REPO / t).rglob("*.py"))
    ]
    sources += [(p, uses_in_shell(p.read_text())) for p in SHELL_SCRIPTS]
    for path, uses in sources:
        for kind, name in uses:
            if name in have.get(kind, set()) or (kind == "program" and (name in ESSENTIAL or "/" in name)):
                continue
            problems.append(f"{path.relative_to(REPO)}: {kind} {name!r}")
    return problems


def test_every_program_and_library_the_code_uses_is_in_the_list() -> None:
    assert unlisted() == [], "add the package that provides it to deploy/system-packages.txt"


def test_the_scan_finds_what_it_looks_for() -> None:
    """The scan itself can fail: each form it recognises is found in a sample."""
    sample = """
import shutil, subprocess, ctypes, ctypes.util
from pyzbar.pyzbar import decode
shutil.which("gs")
subprocess.run(["convert", "a", "b"], check=True)
command = ["pdftocairo", "-png"]
subprocess.run(command, check=True)
ctypes.util.find_library("magic")
ctypes.CDLL("libgeos_c.so.1")
"""
    assert sorted(uses_in_python(sample)) == [
        ("library", "geos_c"),
        ("library", "magic"),
        ("library", "zbar"),
        ("program", "convert"),
        ("program", "gs"),
        ("program", "pdftocairo"),
    ]
    assert list(uses_in_shell('need_cmd curl "apt-get install curl"\ncommand -v mvn >/dev/null')) == [
        ("program", "curl"),
        ("program", "mvn"),
    ]


def test_every_line_of_the_list_names_a_package_and_what_it_provides() -> None:
    kinds = {"program", "library", "path", "module"}
    for line in LIST.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            package, *provides = line.split()
            assert re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", package), line
            assert provides and all(p.partition(":")[0] in kinds for p in provides), line
