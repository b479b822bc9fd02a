"""The install ships every package: a subpackage missing from pyproject.toml works in an
editable install and breaks in a regular one."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject():
    text = (ROOT / "pyproject.toml").read_text()
    listed = set(re.findall(r'"([\w.]+)"', re.search(r"packages = \[(.*?)\]", text).group(1)))
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for top in ("hochreiter97", "tasks") for p in (ROOT / top).rglob("__init__.py")}
    assert found <= listed, f"pyproject.toml [tool.setuptools] packages lacks {sorted(found - listed)}"
