"""Shared fixtures: the ontology (parsed once), the seed article, and built stores."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_SLUG = "npr-2025-02-05-el-salvador-prisons"
SEED_DIR = ROOT / "articles" / SEED_SLUG
DATA = Path(__file__).resolve().parent / "data"
MINI_DIR = DATA / "articles" / "mini-wire-story"
ARTIFACTS = ROOT / "tests" / "artifacts"


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
