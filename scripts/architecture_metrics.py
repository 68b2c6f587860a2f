"""Prints the architecture's figures (issue 11): import cycles between packages (must be 0), upward
imports (the import contract, ``lint-imports``), and import cycles between the modules of each area.

    .venv/bin/python scripts/architecture_metrics.py

Tests and benchmarks are left out, as in the contract; imports under ``if TYPE_CHECKING:`` too. Function-level
(lazy) imports count: a lazy import still makes a cycle. Exits 1 when there is a cycle or an upward import.
"""

import configparser
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
AREAS = ["subscriptions", "numbering", "invoicing", "tickets", "portal"]


def root_packages() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return config["importlinter"]["root_packages"].split()


def upward_ignores() -> list[str]:
    """The layers contract's ignored imports, apart from tests and benchmarks: known upward imports."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    lines = config["importlinter:contract:layers"].get("ignore_imports", "").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith(("**.", "#"))]


def _excluded(module: str) -> bool:
    parts = module.split(".")
    return "tests" in parts or "benchmarks" in parts or "migrations" in parts


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _edges(import_graph: grimp.ImportGraph, modules: Iterable[str], key: dict[str, str]) -> dict[str, set[str]]:
    """Imports between the modules, mapped through ``key`` (module → node); self-edges dropped."""
    edges: dict[str, set[str]] = {node: set() for node in key.values()}
    for module in modules:
        for imported in import_graph.find_modules_directly_imported_by(module):
            if imported in key and key[imported] != key[module]:
                edges[key[module]].add(key[imported])
    return edges


def main() -> int:
    sys.path.insert(0, str(ROOT))
    packages = root_packages()
    import_graph = grimp.build_graph(*packages, exclude_type_checking_imports=True)
    modules = [m for m in import_graph.modules if not _excluded(m)]

    package_cycles = cycles(_edges(import_graph, modules, {m: m.split(".")[0] for m in modules}))
    print(f"Package-level import cycles: {len(package_cycles)}")
    for cycle in package_cycles:
        print("  " + " <-> ".join(cycle))

    lint = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = [line.strip() for line in lint.stdout.splitlines() if "KEPT" in line or "BROKEN" in line]
    ignored = upward_ignores()
    verdict = "passes" if lint.returncode == 0 else "FAILS"
    print(f"Upward imports: {len(ignored)} still ignored in .importlinter (lint-imports {verdict})")
    for line in ignored + summary:
        print("  " + line)

    module_cycles = 0
    print("Module-level import cycles inside each area:")
    for area in [a for a in AREAS if a in packages]:
        inside = [m for m in modules if m.split(".")[0] == area]
        found = cycles(_edges(import_graph, inside, {m: m for m in inside}))
        module_cycles += len(found)
        print(f"  {area}: {len(found)}")
        for cycle in found:
            print("    " + " <-> ".join(cycle))
    return 1 if package_cycles or module_cycles or ignored or lint.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
