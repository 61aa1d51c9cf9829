"""Regenerate tests/data/cq/<name>.json: what each competency query answers on the seed article.

Each file holds the query's cases (the parameters it is asked with) and, for each, the rows `kg query NAME
--format json` must print. tests/test_queries.py compares the real answers with these files. After an intended
change to a query or to the seed annotation, run this and read the diff row by row: the expected rows must be
right for the article, not merely what the code prints today.

    .venv/bin/python scripts/update_cq.py            # rewrite the files
    .venv/bin/python scripts/update_cq.py --check    # only compare; exit 1 and name the files that differ

A query with a required parameter needs a case: add it to DEFAULT_CASES (or edit the "cases" of its file).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph import queries  # noqa: E402
from graph.build import build  # noqa: E402
from graph.store import open_store  # noqa: E402

SEED = ROOT / "articles" / "npr-2025-02-05-el-salvador-prisons"
CQ_DIR = ROOT / "tests" / "data" / "cq"

#: The cases of a new file; an existing file keeps its own.
DEFAULT_CASES: dict[str, list[dict]] = {
    "evidence": [
        {"node_iri": "id:offer/bukele-prisoner-offer"},
        {"node_iri": "id:article/npr-2025-02-05-el-salvador-prisons/position/gelernt-deporting-us-citizens-unconstitutional"},
    ],
    "said-about": [
        {"about_iri": "doctrine:constitutional-limits", "speaker_iri": "id:actor/donald-trump"},
        {"about_iri": "id:action/deport-us-citizens"},
    ],
}


def competency_queries() -> list[queries.NamedQuery]:
    return [q for q in queries.named_queries().values() if not q.is_violation and q.path.parent == queries.ONTOLOGY_DIR / "queries"]


def answer(store, query: queries.NamedQuery, params: dict) -> list[dict]:
    bindings = queries.bind_params(query, [f"{k}={v}" for k, v in params.items()])
    result = queries.execute(store, query, bindings)
    return queries.records(result, query.lists)


def expected_files(store) -> dict[Path, str]:
    files = {}
    for query in competency_queries():
        path = CQ_DIR / f"{query.name}.json"
        cases = DEFAULT_CASES.get(query.name, [{}])
        if path.exists():
            cases = [case["params"] for case in json.loads(path.read_text(encoding="utf-8"))["cases"]]
        document = {
            "query": query.name,
            "question": query.question,
            "article": SEED.name,
            "cases": [{"params": params, "rows": answer(store, query, params)} for params in cases],
        }
        files[path] = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when a file differs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        build([SEED], tmp, html=False)
        store = open_store(tmp, read_only=True)
        try:
            files = expected_files(store)
        finally:
            store.close()
    differ = [path for path, text in files.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in differ:
            print(f"differs: {path.relative_to(ROOT)}")
        return 1 if differ else 0
    CQ_DIR.mkdir(parents=True, exist_ok=True)
    for path in differ:
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    if not differ:
        print("every file is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
