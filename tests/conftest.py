"""Shared fixtures: the ontology (parsed once), the seed article, and built stores."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_SLUG = "npr-2025-02-05-el-salvador-prisons"
SEED_DIR = ROOT / "articles" / SEED_SLUG
DATA = Path(__file__).resolve().parent / "data"
MINI_DIR = DATA / "articles" / "mini-wire-story"
ARTIFACTS = ROOT / "tests" / "artifacts"


def script(name: str):
    """scripts/NAME.py as a module (the scripts are run, never imported by the package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def ontology():
    from graph.ontology import Ontology

    return Ontology()


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory):
    """The seed article built once into an on-disk store (with graph.trig and graph.html)."""
    from graph.build import build

    out = tmp_path_factory.mktemp("seed-out")
    build([SEED_DIR], out)
    return out


@pytest.fixture
def article_copy(tmp_path):
    """Copy an article folder into tmp_path so a test may break it."""

    def copy(source: Path = MINI_DIR, name: str | None = None) -> Path:
        target = tmp_path / (name or source.name)
        shutil.copytree(source, target)
        return target

    return copy


NO_REPORT_SEVEN = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
@prefix kg: <https://w3id.org/legal-news-kg/ontology#> .
<urn:test:NoSeven> a sh:NodeShape ; sh:targetClass kg:Article ;
    sh:property [ sh:path schema:headline ; sh:pattern "^(?!Synthetic report number 7 )" ;
                  sh:message "Report seven is not wanted." ] .
"""


def no_report_seven(extension: Path, target: Path) -> Path:
    """A copy of a synthetic corpus's ontology extension with a shape that only synthetic article 7 breaks."""
    shutil.copytree(extension, target)
    (target / "strict-shapes.ttl").write_text(NO_REPORT_SEVEN)
    return target
