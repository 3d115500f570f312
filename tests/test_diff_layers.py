"""The layers of fastgd.diff: its import graph has no cycle and no upward arrow, and the kinds of
evaluators are named in one place (the factory) above the modules that define them. fastgd.optimize sits
above it: it imports fastgd.diff's public modules only, and nothing of fastgd.diff imports it.

``python tests/test_diff_layers.py`` prints the graph.
"""
import ast
import pathlib

import fastgd.diff

PACKAGE = "fastgd.diff"
ROOT = pathlib.Path(fastgd.diff.__file__).parent
#: The public modules, lowest first: each may import the engine (``_core``) and the ones before it.
PUBLIC = ["sparse", "jacobian", "hessian", "sparse_hessian", "gradient", "scipy_adapters"]
#: The kinds of evaluators, and the modules that may name them: where they are defined, and the factory.
KINDS = {"InPlace": "_core.in_place", "COnThreads": "_core.c_level", "Batched": "_core.on_copies",
         "Mapped": "_core.on_copies", "OnCopies": "_core.on_copies"}
FACTORY = "_core.factory"


def modules():
    """Every Python module of the package, by its name relative to it (``_core.steps``, ``gradient``)."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _resolve(node, name):
    """The package-relative modules an import statement in module ``name`` names (the package's own only)."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative
            parent = name.split(".")[:-node.level] if name else []
            base = ".".join([PACKAGE, *parent] + ([base] if base else []))
        targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
    return {target[len(PACKAGE) + 1:] for target in targets if target.startswith(PACKAGE + ".")}


def graph():
    """module -> the package's modules it imports (compiled ones included, as ``_kernels``/``_sparse``)."""
    found = modules()
    edges = {}
    for name, path in found.items():
        tree = ast.parse(path.read_text())
        targets = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                targets |= _resolve(node, name)
        # "from fastgd.diff._core import checks" names the package _core and its module checks: keep modules
        edges[name] = {t for t in targets if t in found or t in ("_kernels", "_sparse")} - {name}
    return edges


def _layer(name):
    """0 for the engine and the compiled modules, the public module's rank + 1 above it, None for __init__."""
    if name == "":
        return None
    top = name.split(".")[0]
    return 0 if top in ("_core", "_kernels", "_sparse") else PUBLIC.index(top) + 1


def cycles(edges):
    """A cycle of the graph, as a list of modules, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target, [*path, target])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None


def test_the_import_graph_has_no_cycle():
    assert cycles(graph()) is None


def test_no_module_imports_upward():
    upward = []
    for name, targets in graph().items():
        layer = _layer(name)
        if layer is None:
            continue
        for target in targets:
            target_layer = _layer(target)
            if layer == 0 and target_layer != 0 or layer > 0 and target_layer >= layer:
                upward.append(f"{name} -> {target}")
    assert upward == []


def test_every_public_module_is_ranked():
    public = {name for name in modules() if name and not name.startswith("_core")}
    assert public == set(PUBLIC)


def test_the_kinds_of_evaluators_are_named_only_by_the_factory():
    """Above the factory the derivatives use the evaluator protocol: no isinstance, no construction."""
    named = []
    for name, path in modules().items():
        if name == FACTORY:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            kind = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
            if kind in KINDS and KINDS[kind] != name:
                named.append(f"{name}: {kind}")
    assert named == []


def _imports(path):
    """Every module an import statement in the file at ``path`` names (absolute names)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_fastgd_optimize_sits_above_fastgd_diff():
    """fastgd.optimize takes fastgd.diff's public modules (not its engine); no module of fastgd.diff imports it."""
    optimize = pathlib.Path(fastgd.diff.__file__).parent.parent / "optimize"
    above = sorted(optimize.glob("*.py"))
    assert above
    for path in above:
        for name in _imports(path):
            if name.startswith(PACKAGE):
                assert name[len(PACKAGE) + 1:].split(".")[0] in PUBLIC, f"{path.name} imports {name}"
    for name, path in modules().items():
        assert not any(target.startswith("fastgd.optimize") for target in _imports(path)), name


def test_the_graph_sees_imports_inside_functions():
    """The graph is read from every import statement, so one hidden in a function is an arrow too."""
    tree = ast.parse("def f():\n    from fastgd.diff.hessian import hessian\n")
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom))
    assert _resolve(node, "jacobian") == {"hessian", "hessian.hessian"}
    assert cycles({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]


if __name__ == "__main__":
    for module, targets in sorted(graph().items(), key=lambda item: (_layer(item[0]) or 0, item[0])):
        print(f"{module or '__init__'} -> {', '.join(sorted(targets)) or '(nothing of fastgd.diff)'}")
