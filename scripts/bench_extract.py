"""How `kg extract` scales with the quotations in one paragraph: a table of seconds per size.

Each size is one article whose body is a single paragraph of N short quotations (`"Point i stands," he said.`,
the shape that was quadratic), extracted in a fresh interpreter (read, clean, attribute, write the draft; the
loader's check is left out: it is the same for any extractor). The baseline is the smallest size measured in
the same run: a linear extractor keeps the seconds per 1,000 quotations flat, a quadratic one doubles them with
each doubling of N.

    .venv/bin/python scripts/bench_extract.py                       # 500, 1000, 2000, 4000 quotations
    .venv/bin/python scripts/bench_extract.py --sizes 1000,8000 --style mixed
    .venv/bin/python scripts/bench_extract.py --against /tmp/old    # also an older checkout's graph/ package

`--against DIR` times DIR/graph (e.g. `git archive HEAD~3 graph | tar -x -C /tmp/old`) in the same run, beside
this checkout's, and prints their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

UNITS = {
    "he-said": lambda i: f'"Point {i} stands," he said. ',
    "mixed": lambda i: (f'Senator John Doe spoke in Tecoluca about item {i} and the “curly {i}” rule. '
                        f'"Point {i} stands," he said, "and it will." “Another {i},” said Maria Lopez. '),
}
QUOTES_PER_UNIT = {"he-said": 1, "mixed": 4}

RUN = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from graph.extract import Writer, extract
started = time.perf_counter()
draft = extract(Path(sys.argv[2]), "bench")
Writer(draft).write()
print(json.dumps({"seconds": time.perf_counter() - started, "quotes": len(draft.quotes)}))
"""


def article(quotes: int, style: str) -> str:
    units = max(1, quotes // QUOTES_PER_UNIT[style])
    body = "".join(UNITS[style](i) for i in range(units))
    return ("One long paragraph\n\nMarch 5, 2025\n\nBy Ana Ruiz, Associated Press\n\n"
            f"Senator John Doe spoke on Tuesday. {body}\n")


def measure(package_root: Path, source: Path, repeat: int) -> tuple[float, int]:
    best, quotes = None, 0
    for _ in range(repeat):
        result = subprocess.run([sys.executable, "-c", RUN, str(package_root), str(source)], capture_output=True,
                                text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if result.returncode != 0:       # e.g. over the 500,000-character limit of one article
            lines = result.stderr.strip().splitlines()
            sys.exit(f"{source.name}: the extractor in {package_root} failed: {lines[-1] if lines else '?'}")
        data = json.loads(result.stdout.strip().splitlines()[-1])
        best = data["seconds"] if best is None else min(best, data["seconds"])
        quotes = data["quotes"]
    return best, quotes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,1000,2000,4000", help="quotations in the paragraph, comma-separated")
    parser.add_argument("--style", choices=sorted(UNITS), default="he-said")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (the fastest is kept)")
    parser.add_argument("--against", type=Path, help="a folder holding another checkout's graph/ package")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    columns = [("this", ROOT)] + ([("against", args.against.resolve())] if args.against else [])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            source = Path(tmp) / f"q{size}.txt"
            source.write_text(article(size, args.style), encoding="utf-8")
            row = {"size": size, "chars": source.stat().st_size}
            for name, root in columns:
                row[name], row["quotes"] = measure(root, source, args.repeat)
            rows.append(row)
    header = f"{'quotations':>10} {'characters':>10} {'this (s)':>9} {'s/1k quotes':>11} {'x baseline':>10}"
    if args.against:
        header += f" {'against (s)':>11} {'s/1k quotes':>11} {'against/this':>12}"
    print(header)
    base = rows[0]["this"] / rows[0]["quotes"]
    for row in rows:
        per_k = 1000 * row["this"] / row["quotes"]
        line = (f"{row['quotes']:>10,} {row['chars']:>10,} {row['this']:>9.2f} {per_k:>11.3f} "
                f"{(row['this'] / row['quotes']) / base:>10.2f}")
        if args.against:
            line += (f" {row['against']:>11.2f} {1000 * row['against'] / row['quotes']:>11.3f} "
                     f"{row['against'] / row['this']:>12.1f}")
        print(line)
    print(f"(x baseline: seconds per quotation against the {rows[0]['quotes']:,}-quotation run; flat is linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
