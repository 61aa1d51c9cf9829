"""Set the project version everywhere it is written: pyproject.toml, the ontology's owl:versionInfo and
owl:versionIRI (ontology/core.ttl and every extension shipped in ontology/extensions/), and graph/__init__.py's
fallback. tests/test_extensions.py fails until they agree, and until CHANGELOG.md has a section for the version.

    .venv/bin/python scripts/set_version.py 0.2.0
    # then write the "## [0.2.0]" section of CHANGELOG.md: what changed in the ontology and why
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION_RE = re.compile(r"^\d+\.\d+\.\d+(?:[.-]?[a-z0-9.]+)?$")


def replace(path: Path, pattern: str, repl: str, count_expected: int | None = 1) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, repl, text, flags=re.M)
    if count_expected is not None and n != count_expected:
        sys.exit(f"{path}: expected {count_expected} match(es) of {pattern!r}, found {n}; edit it by hand")
    path.write_text(new, encoding="utf-8")
    print(f"updated {path.relative_to(ROOT)}")


def main(argv: list[str]) -> None:
    if len(argv) != 1 or not VERSION_RE.match(argv[0]):
        sys.exit("usage: scripts/set_version.py X.Y.Z")
    version = argv[0]
    replace(ROOT / "pyproject.toml", r'^version = "[^"]*"', f'version = "{version}"')
    replace(ROOT / "graph" / "__init__.py", r'__version__ = "[^"]*"', f'__version__ = "{version}"')
    ttl_files = [ROOT / "ontology" / "core.ttl"] + sorted((ROOT / "ontology" / "extensions").glob("*/*.ttl"))
    for path in ttl_files:
        text = path.read_text(encoding="utf-8")
        if "owl:versionInfo" not in text:
            continue
        replace(path, r'(owl:versionInfo\s+)"[^"]*"', rf'\g<1>"{version}"')
        replace(path, r"(owl:versionIRI\s+<[^>]*/)[^/>]+>", rf"\g<1>{version}>")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    if f"## [{version}]" not in changelog:
        print(f"now add a '## [{version}]' section to CHANGELOG.md saying what changed in the ontology")


if __name__ == "__main__":
    main(sys.argv[1:])
