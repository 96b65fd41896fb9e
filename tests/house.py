"""The house rules the code is checked against, as an ast scan of the package.

Run as a script for a listing (``python tests/house.py``); ``tests/test_house.py`` asserts
them.  Three checks:

* the import graph of the ``corpusconv`` modules, counting module-level imports only (those
  the interpreter runs when a module is imported; imports inside functions, and those under
  ``if TYPE_CHECKING:``, are not edges), and its cycles;
* functions longer than :data:`MAX_FUNCTION_LINES` (from ``def`` to the last line);
* bare numbers in comparisons (``len(x) < 6``): a threshold deserves a name that says what
  it is for.  0, 1 and -1 are not thresholds (emptiness, "more than one", "not found"),
  nor are hexadecimal literals (byte values and code points: ``b <= 0x1f``).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "corpusconv"
PACKAGE_NAME = "corpusconv"
#: The team's limit on a function's length (the guide's "no function over ~60 lines").
MAX_FUNCTION_LINES = 60
#: Numbers that compare without being a threshold.
NOT_THRESHOLDS = frozenset({0, 1, -1})


def module_files(root: Path = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (packages by their
    ``__init__``)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports run when the module is imported: at top level or inside top-level
    ``if``/``try``/``with`` blocks, not in functions or classes' methods."""
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node):
                todo.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            todo.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                todo.extend(handler.body)
        elif isinstance(node, ast.With):
            todo.extend(node.body)
        elif isinstance(node, ast.ClassDef):
            todo.extend(node.body)


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name ``from <node.module>`` refers to, seen from ``module``."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package modules it imports at module level.

    ``from X import name`` is an edge to ``X.name`` when that is a module, else to ``X``.
    The parent packages Python imports implicitly are not edges (every module would then
    depend on the package's ``__init__``).
    """
    files = module_files(root)
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for node in _module_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                source = _absolute(name, is_package, node)
                targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in files else source
                           for a in node.names]
            graph[name].update(t for t in targets if t in files and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


@dataclass(frozen=True)
class Finding:
    """One place that breaks a rule: ``module:line`` and what is there."""

    module: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.what}"


def _functions(tree: ast.AST) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function with its qualified name (``Class.method``, ``outer.<locals>.inner``)."""
    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield prefix + child.name, child
                yield from walk(child, f"{prefix}{child.name}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)
    return walk(tree, "")


def long_functions(root: Path = PACKAGE, limit: int = MAX_FUNCTION_LINES) -> list[Finding]:
    """Functions whose ``def`` to last line spans more than ``limit`` lines."""
    out = []
    for name, path in module_files(root).items():
        for qualname, fn in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            length = (fn.end_lineno or fn.lineno) - fn.lineno + 1
            if length > limit:
                out.append(Finding(name, fn.lineno, f"{qualname} is {length} lines"))
    return out


def _bare_number(node: ast.expr) -> int | float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _bare_number(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    return None


def bare_numbers(root: Path = PACKAGE) -> list[Finding]:
    """Numbers other than :data:`NOT_THRESHOLDS` and hexadecimal literals compared against
    directly."""
    out = []
    for name, path in module_files(root).items():
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Compare):
                continue
            for operand in [node.left, *node.comparators]:
                value = _bare_number(operand)
                written = ast.get_source_segment(source, operand) or ""
                if value is not None and value not in NOT_THRESHOLDS and not written.lstrip("-").startswith("0x"):
                    out.append(Finding(name, operand.lineno, f"compares with {value!r}"))
    return out


def main() -> int:
    found_cycles = cycles(import_graph())
    for cycle in found_cycles:
        print("import cycle:", " <-> ".join(cycle))
    longs = long_functions()
    for finding in longs:
        print("long function:", finding)
    numbers = bare_numbers()
    for finding in numbers:
        print("bare number:", finding)
    print(f"{len(found_cycles)} import cycle(s), {len(longs)} function(s) over {MAX_FUNCTION_LINES} "
          f"lines, {len(numbers)} bare number(s) in comparisons")
    return 1 if found_cycles or longs else 0


if __name__ == "__main__":
    sys.exit(main())
