"""The import graph of kvmlab/, read from the AST (lazy imports inside functions included).

Data flows one way: nothing outside kvmlab/cli/ imports kvmlab.cli, no two modules import each other
through any chain, and libvirt's own exception is caught in a handful of files only (errors.py maps
it; the rest use ``libvirt_errors()``). An import under ``if TYPE_CHECKING:`` is for annotations and
does not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "kvmlab"
MAX_LIBVIRT_CATCHERS = 5


def _modules() -> dict[str, Path]:
    mods = {}
    for p in sorted(PKG.rglob("*.py")):
        rel = p.relative_to(PKG.parent).with_suffix("")
        name = ".".join(rel.parts)
        mods[name.removesuffix(".__init__")] = p
    return mods


MODULES = _modules()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                skip |= {id(n) for n in ast.walk(stmt)}
    return skip


def _imports(name: str, path: Path) -> set[str]:
    """Every kvmlab module ``name`` imports, at the top or lazily inside a function."""
    tree = ast.parse(path.read_text())
    skip = _type_checking_nodes(tree)
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    deps: set[str] = set()
    for n in ast.walk(tree):
        if id(n) in skip:
            continue
        if isinstance(n, ast.Import):
            deps |= {a.name for a in n.names}
        elif isinstance(n, ast.ImportFrom):
            base = n.module or ""
            if n.level:
                parts = pkg.split(".")[: len(pkg.split(".")) - n.level + 1]
                base = ".".join(parts + ([base] if base else []))
            deps |= {base} | {f"{base}.{a.name}" for a in n.names}
    return {d for d in deps if d in MODULES and d != name and not d.startswith(name + ".")}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _in_cli(name: str) -> bool:
    return name == "kvmlab.cli" or name.startswith("kvmlab.cli.")


def test_the_graph_is_read():
    # the test itself must see real edges, or every assertion below would pass on nothing
    assert "kvmlab.errors" in GRAPH["kvmlab.connection"]
    assert "kvmlab.virsh.line" in GRAPH["kvmlab.connection"]  # a lazy import, inside Connection.virsh
    assert len(MODULES) > 100


def test_the_library_never_imports_the_cli():
    up = sorted(f"{m} -> {d}" for m, ds in GRAPH.items() if not _in_cli(m) for d in ds if _in_cli(d))
    assert up == []


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in GRAPH:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    assert _cycles() == []


def _catches_libvirt_error(path: Path) -> bool:
    for n in ast.walk(ast.parse(path.read_text())):
        if isinstance(n, ast.ExceptHandler) and n.type is not None and "libvirtError" in ast.unparse(n.type):
            return True
    return False


def test_libvirt_errors_are_caught_in_few_places():
    catchers = sorted(str(p.relative_to(PKG)) for p in MODULES.values() if _catches_libvirt_error(p))
    assert "errors.py" in catchers
    assert len(catchers) <= MAX_LIBVIRT_CATCHERS, catchers


@pytest.mark.parametrize("cls_name", ["EditRejected", "EditAbandoned", "XPathSyntax", "ConsoleTimeout", "ExerciseFailed"])
def test_every_error_class_lives_in_errors(cls_name):
    defined = [str(p.relative_to(PKG)) for p in MODULES.values()
               for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.ClassDef) and n.name == cls_name]
    assert defined == ["errors.py"]


def test_every_exception_class_is_in_the_tree():
    import kvmlab.errors as errors

    outside = [str(p.relative_to(PKG)) + ":" + n.name for p in MODULES.values() if p.name != "errors.py"
               for n in ast.walk(ast.parse(p.read_text()))
               if isinstance(n, ast.ClassDef) and any(ast.unparse(b).endswith(("Error", "Exception")) for b in n.bases)]
    assert outside == []
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, errors.KvmlabError)
            assert name in errors.__doc__, f"{name} is missing from the tree in errors.py's docstring"
