"""The shape of the package: no import cycles, no module-private names used across modules.

Read from the source with ``ast`` (no import needed), so a new cycle or a new
``from wordvec.x import _name`` fails here whatever else the suite does.
"""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "wordvec"


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree):
    """(module, names) for every ``import``/``from ... import`` of a wordvec module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("wordvec"):
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("wordvec"):
                    yield a.name, []


def test_no_private_names_imported_across_modules():
    offenders = [
        f"{name} imports {target}.{n}"
        for name, tree in _modules()
        for target, names in _imports(tree)
        for n in names
        if n.startswith("_") and target != name
    ]
    assert offenders == []


def _graph(mods):
    graph = {}
    for name, tree in mods.items():
        deps = set()
        for target, names in _imports(tree):
            for n in names:  # "from wordvec.text import corpus" imports wordvec.text.corpus
                if f"{target}.{n}" in mods:
                    deps.add(f"{target}.{n}")
            if target in mods and target != "wordvec":
                deps.add(target)
        deps.discard(name)
        graph[name] = deps
    return graph


def _cycles(graph):
    cycles = []
    state = {}

    def visit(node, path):
        state[node] = "open"
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == "open":
                cycles.append(" -> ".join(path[path.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, path + [dep])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state and node != "wordvec":
            visit(node, [node])
    return cycles


#: Cycles still to be taken apart: none. (WordVectors.save/load call the file layers,
#: wordvec.vectors.store and below, which never import keyed.) Nothing may join.
KNOWN_CYCLES: set[str] = set()


def test_no_import_cycles_between_modules():
    """Every import counts, the lazy ones inside functions too."""
    def nodes(cycle):  # the same cycle may be found from any of its modules
        return frozenset(cycle.split(" -> "))

    found = {nodes(c) for c in _cycles(_graph(dict(_modules())))}
    assert found <= {nodes(c) for c in KNOWN_CYCLES}


def _reachable(graph, start):
    seen, todo = set(), [start]
    while todo:
        for dep in graph.get(todo.pop(), ()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def test_the_file_layers_sit_below_word_vectors():
    """wordvec.native (used by train/ for checkpoints and counts) reaches nothing in
    vectors/; the vector file layers never reach WordVectors or the front door, so
    WordVectors.save/load can use them without a cycle."""
    graph = _graph(dict(_modules()))
    assert sorted(m for m in _reachable(graph, "wordvec.native")
                  if m.startswith("wordvec.vectors")) == []
    for layer in ("files", "word2vec_format", "store"):
        reached = _reachable(graph, f"wordvec.vectors.{layer}")
        assert {"wordvec.vectors.keyed", "wordvec.vectors.formats"} & reached == set(), layer
    for user in ("wordvec.train.checkpoint", "wordvec.train.cooccurrence"):
        assert "wordvec.vectors.formats" not in _reachable(graph, user), user


def test_the_checker_sees_a_cycle_even_through_a_lazy_import():
    mods = {
        "wordvec.a": ast.parse("from wordvec.b import f\n"),
        "wordvec.b": ast.parse("def g():\n    from wordvec import a\n"),
        "wordvec.c": ast.parse("from wordvec.a import _hidden\n"),
    }
    assert _cycles(_graph(mods)) == ["wordvec.a -> wordvec.b -> wordvec.a"]
