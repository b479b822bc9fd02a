"""The files of a study: its JSON and its README side by side in one folder, each written atomically."""
from __future__ import annotations

from pathlib import Path

from .. import results


def write(folder, name, obj, readme_text=None, readme="README.md") -> list:
    """folder/name: obj as JSON (indent 1, a final newline); folder/readme: readme_text, when given.
    The folder is made if missing. Returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    results.write_json(folder / name, obj, end="\n")
    return [folder / name] + ([text(folder, readme, readme_text)] if readme_text is not None else [])


def text(folder, name, body) -> Path:
    """folder/name holding body (a README written from files already in the folder). Returns the path."""
    path = Path(folder) / name
    results.write_text(path, body)
    return path
