"""The house's architecture, read from the imports: core <- protocol <- studies, bench <- command line; tasks alone.

    core      hochreiter97/{squash, architecture, reference, kernel, network}.py: the model and its rule
    protocol  the rest of hochreiter97/ (config, training, reproduce, results, report, ...) and baselines/
    studies   hochreiter97/studies/: everything that re-runs trials or reads results to explain them
    bench     hochreiter97/bench/: speed, memory, costs
    cli       hochreiter97/cli.py: the command line, above all of them
    tasks     tasks/: the generators, importing no project module
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = {"squash", "architecture", "reference", "kernel", "network", "__init__"}
MAY_IMPORT = {
    "core": {"core"},
    "protocol": {"core", "protocol", "tasks"},
    "studies": {"core", "protocol", "tasks", "studies"},
    "bench": {"core", "protocol", "tasks", "bench"},
    "cli": {"core", "protocol", "tasks", "studies", "bench", "cli"},
    "tasks": {"tasks"},
}


def layer(module: str) -> str:
    """The layer of a dotted module name of this project."""
    parts = module.split(".")
    if parts[0] == "tasks":
        return "tasks"
    if len(parts) == 1:
        return "core"                                         # the package itself: hochreiter97/__init__.py
    if parts[1] in ("studies", "bench"):
        return parts[1]
    if parts[1] == "cli":
        return "cli"
    return "core" if parts[1] in CORE else "protocol"


def modules():
    for path in sorted((ROOT / "hochreiter97").rglob("*.py")) + sorted((ROOT / "tasks").glob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.parts[-1] == "__init__" else rel.parts)
        yield name, path


def imports(name: str, path: Path):
    """Every project module that `name` imports, relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for t in targets:
            if t.split(".")[0] in ("hochreiter97", "tasks"):
                yield t


@pytest.mark.parametrize("name, path", list(modules()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_import_points_down_the_layers(name, path):
    here = layer(name)
    bad = sorted({t for t in imports(name, path) if layer(t) not in MAY_IMPORT[here]})
    assert not bad, f"{path.relative_to(ROOT)} ({here}) imports {bad}"


def test_the_layers_are_what_the_docstring_says():
    assert layer("hochreiter97.kernel") == "core" and layer("hochreiter97.training") == "protocol"
    assert layer("hochreiter97.studies.drift") == "studies" and layer("hochreiter97.bench.speed") == "bench"
    assert layer("hochreiter97.baselines.rnn") == "protocol" and layer("tasks.reber") == "tasks"


def test_every_spec_section_cited_exists_in_docs_spec():
    """`SPEC §X.Y` in code and docs names a heading X.Y of docs/spec.md, or item Y of section X's numbered list."""
    import re
    root = Path(__file__).resolve().parents[1]
    spec = (root / "docs" / "spec.md").read_text()
    headings = set(re.findall(r"^#+ (\d+(?:\.\d+)?)\.? ", spec, flags=re.M))
    items = set()
    for number, body in re.findall(r"^## (\d+)\. .*?\n(.*?)(?=^## |\Z)", spec, flags=re.M | re.S):
        items |= {f"{number}.{i}" for i in re.findall(r"^(\d+)\. ", body, flags=re.M)}
    files = [p for d in ("hochreiter97", "tasks", "tests", "docs", "scripts") for p in (root / d).rglob("*")
             if p.suffix in (".py", ".md", ".yaml")] + [root / "README.md"]
    cited = {(p.name, s) for p in files for s in re.findall(r"SPEC §(\d+(?:\.\d+)?)", p.read_text())}
    missing = sorted((name, s) for name, s in cited if s not in headings | items)
    assert cited and not missing, missing
