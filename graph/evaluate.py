"""`kg eval`: score a draft annotation against a curated one.

Measures (precision, recall, F1; micro-averaged over articles):

* quote spans, exact: the same start and end in the article text;
* quote spans, overlapping: one-to-one pairs of spans that share at least one character;
* speaker + span (exact, and overlapping): a pair of matched spans whose speakers agree (`unknown` agrees only with
  `unknown`, so an unknown speaker costs precision and recall when the curator names one);
* attribution: the same over the statements with a named speaker only (an `unknown` is an abstention: it costs
  recall, not precision);
* actors: the `actors:` of both, matched one to one by id, or by name and proper-name aliases.

Speakers agree when their ids are equal or when the actors they name share a name or alias, so a draft's
`trump` named "Trump" agrees with a curated `donald-trump` whose aliases list "Trump". When the two article texts
differ, the draft's spans are placed in the curated text by their words (the occurrence nearest the same relative
position).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import click

from .errors import InputError, KgError
from .extract_text import normalise_for_match
from .textspan import find_span, occurrences

MEASURES = [
    ("spans_exact", "quote spans (exact)"),
    ("spans_overlap", "quote spans (overlapping)"),
    ("speaker_span_exact", "speaker + span (exact)"),
    ("speaker_span_overlap", "speaker + span (overlapping)"),
    ("attribution", "attribution (named speakers)"),
    ("actors", "actors"),
]
HEADLINE = "speaker_span_exact"


@dataclass
class Statement:
    id: str
    start: int
    end: int
    speaker: str            # an id or "unknown"
    quote: str


@dataclass
class Side:
    directory: Path
    text: str
    statements: list[Statement]
    names: dict[str, set[str]]          # actor or group id -> its name keys
    actor_ids: list[str]                # the `actors:` section, in order


@dataclass
class Count:
    tp: int = 0
    draft: int = 0
    curated: int = 0

    def add(self, other: "Count"):
        self.tp += other.tp
        self.draft += other.draft
        self.curated += other.curated

    @property
    def precision(self) -> float:
        return self.tp / self.draft if self.draft else (1.0 if not self.curated else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / self.curated if self.curated else (1.0 if not self.draft else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"tp": self.tp, "draft": self.draft, "curated": self.curated, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Result:
    counts: dict[str, Count] = field(default_factory=lambda: {key: Count() for key, _ in MEASURES})
    details: list[str] = field(default_factory=list)


def _keys(item: dict) -> set[str]:
    keys = set()
    names = [item.get("name"), item.get("label")]
    for words in names + list(item.get("aliases") or []):
        if not isinstance(words, str) or not words.strip():
            continue
        if words not in names and (words[0].islower() or words.lower().startswith("the ") and words[4:5].islower()):
            continue                      # an alias such as "the secretary": a description many could fit
        key = normalise_for_match(words)
        if key.startswith("the "):
            key = key[4:]
        keys.add(key)
    return keys


def load_side(directory: Path) -> Side:
    from . import yamlfile

    directory = Path(directory)
    text_path, annotation_path = directory / "article.txt", directory / "annotation.yaml"
    if not text_path.is_file() or not annotation_path.is_file():
        raise InputError(f"{directory}: an article folder holds article.txt and annotation.yaml")
    try:
        text = text_path.read_bytes().decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise InputError(f"{text_path}: not UTF-8 text") from None
    data = yamlfile.load(annotation_path)
    if not isinstance(data, dict):
        raise InputError(f"{annotation_path}: not an annotation (a YAML mapping)")
    names: dict[str, set[str]] = {}
    actor_ids = []
    for section in ("actors", "groups"):
        for item in data.get(section) or []:
            if isinstance(item, dict) and item.get("id") is not None:
                names[str(item["id"])] = _keys(item)
                if section == "actors":
                    actor_ids.append(str(item["id"]))
    statements = []
    for item in data.get("statements") or []:
        if not isinstance(item, dict) or not isinstance(item.get("quote"), str):
            continue
        span = find_span(text, item["quote"], occurrence=item.get("occurrence"), after=item.get("after"))
        if isinstance(span, str):
            line = item.line_of("quote") if hasattr(item, "line_of") else None
            raise InputError(f"{annotation_path}:{line}: statement {item.get('id')}: the quote {span}")
        statements.append(Statement(str(item.get("id")), span[0], span[1], str(item.get("speaker", "unknown")),
                                    item["quote"]))
    statements.sort(key=lambda s: (s.start, s.end))
    return Side(directory, text, statements, names, actor_ids)


def _place(draft: Side, curated: Side) -> list[Statement]:
    """The draft's statements with offsets in the curated text."""
    if draft.text == curated.text:
        return list(draft.statements)
    placed = []
    size_d, size_c = max(1, len(draft.text)), max(1, len(curated.text))
    for statement in draft.statements:
        starts = occurrences(curated.text, statement.quote)
        if not starts:
            placed.append(Statement(statement.id, -1, -1, statement.speaker, statement.quote))
            continue
        target = statement.start / size_d * size_c
        start = min(starts, key=lambda s: abs(s - target))
        placed.append(Statement(statement.id, start, start + len(statement.quote), statement.speaker,
                                statement.quote))
    return placed


def _agree(draft: Side, d_speaker: str, curated: Side, c_speaker: str) -> bool:
    if d_speaker == "unknown" or c_speaker == "unknown":
        return d_speaker == c_speaker
    if d_speaker == c_speaker:
        return True
    return bool(draft.names.get(d_speaker, set()) & curated.names.get(c_speaker, set()))


def compare(draft: Side, curated: Side, label: str = "") -> Result:
    result = Result()
    counts = result.counts
    d_statements = _place(draft, curated)
    c_statements = curated.statements
    for key in ("spans_exact", "spans_overlap", "speaker_span_exact", "speaker_span_overlap"):
        counts[key].draft, counts[key].curated = len(d_statements), len(c_statements)
    counts["attribution"].draft = sum(1 for s in d_statements if s.speaker != "unknown")
    counts["attribution"].curated = sum(1 for s in c_statements if s.speaker != "unknown")

    # exact: the same offsets, one to one
    by_span: dict[tuple[int, int], list[Statement]] = {}
    for statement in c_statements:
        by_span.setdefault((statement.start, statement.end), []).append(statement)
    exact_pairs = []
    for statement in d_statements:
        pool = by_span.get((statement.start, statement.end))
        if pool:
            exact_pairs.append((statement, pool.pop(0)))
    counts["spans_exact"].tp = len(exact_pairs)
    counts["speaker_span_exact"].tp = sum(1 for d, c in exact_pairs if _agree(draft, d.speaker, curated, c.speaker))

    # overlapping: greedy by the size of the overlap, one to one
    candidates = []
    for i, d in enumerate(d_statements):
        for j, c in enumerate(c_statements):
            overlap = min(d.end, c.end) - max(d.start, c.start)
            if overlap > 0:
                candidates.append((-overlap, i, j))
    candidates.sort()
    used_d, used_c, pairs = set(), set(), []
    for _, i, j in candidates:
        if i in used_d or j in used_c:
            continue
        used_d.add(i)
        used_c.add(j)
        pairs.append((d_statements[i], c_statements[j]))
    counts["spans_overlap"].tp = len(pairs)
    agreeing = [(d, c) for d, c in pairs if _agree(draft, d.speaker, curated, c.speaker)]
    counts["speaker_span_overlap"].tp = len(agreeing)
    counts["attribution"].tp = sum(1 for d, c in agreeing if d.speaker != "unknown")

    for d, c in pairs:
        if not _agree(draft, d.speaker, curated, c.speaker):
            result.details.append(f"{label}speaker: {c.quote[:60]!r}: draft {d.speaker}, curated {c.speaker}")
        elif (d.start, d.end) != (c.start, c.end):
            result.details.append(f"{label}span: draft {d.quote[:60]!r} / curated {c.quote[:60]!r}")
    for i, d in enumerate(d_statements):
        if i not in used_d:
            result.details.append(f"{label}extra: draft {d.id} {d.quote[:60]!r} ({d.speaker})")
    for j, c in enumerate(c_statements):
        if j not in used_c:
            result.details.append(f"{label}missed: curated {c.id} {c.quote[:60]!r} ({c.speaker})")

    # actors
    counts["actors"].draft, counts["actors"].curated = len(draft.actor_ids), len(curated.actor_ids)
    taken = set()
    for d_id in draft.actor_ids:
        match = None
        if d_id in curated.actor_ids and d_id not in taken:
            match = d_id
        else:
            for c_id in curated.actor_ids:
                if c_id not in taken and draft.names.get(d_id, set()) & curated.names.get(c_id, set()):
                    match = c_id
                    break
        if match:
            taken.add(match)
            counts["actors"].tp += 1
        else:
            result.details.append(f"{label}actor not curated: {d_id}")
    for c_id in curated.actor_ids:
        if c_id not in taken:
            result.details.append(f"{label}actor missed: {c_id}")
    return result


def pairs(draft_dir: Path, curated_dir: Path) -> list[tuple[str, Path, Path]]:
    """(name, draft folder, curated folder): the two folders themselves, or their sub-folders paired by name."""
    draft_dir, curated_dir = Path(draft_dir), Path(curated_dir)
    for directory in (draft_dir, curated_dir):
        if not directory.is_dir():
            raise InputError(f"{directory}: not a folder")
    if (draft_dir / "annotation.yaml").is_file() or (curated_dir / "annotation.yaml").is_file():
        return [(curated_dir.name, draft_dir, curated_dir)]
    found = []
    for curated in sorted(p for p in curated_dir.iterdir() if (p / "annotation.yaml").is_file()):
        draft = draft_dir / curated.name
        if (draft / "annotation.yaml").is_file():
            found.append((curated.name, draft, curated))
    if not found:
        raise InputError(f"no article folders to compare: {draft_dir} and {curated_dir} hold no annotation.yaml, "
                         "nor sub-folders of the same name that do")
    return found


def evaluate(draft_dir: Path, curated_dir: Path) -> tuple[dict[str, Result], Result]:
    per_article: dict[str, Result] = {}
    total = Result()
    for name, draft, curated in pairs(draft_dir, curated_dir):
        result = compare(load_side(draft), load_side(curated), label=f"{name}: ")
        per_article[name] = result
        for key, _ in MEASURES:
            total.counts[key].add(result.counts[key])
        total.details.extend(result.details)
    return per_article, total


def render_table(result: Result) -> list[str]:
    lines = [f"{'measure':<30} {'tp':>5} {'draft':>6} {'curated':>8} {'precision':>10} {'recall':>7} {'f1':>6}"]
    for key, label in MEASURES:
        count = result.counts[key]
        lines.append(f"{label:<30} {count.tp:>5} {count.draft:>6} {count.curated:>8} {count.precision:>10.3f} "
                     f"{count.recall:>7.3f} {count.f1:>6.3f}")
    return lines


@click.command("eval")
@click.argument("draft_dir", type=click.Path(path_type=Path))
@click.argument("curated_dir", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--details", is_flag=True, help="Also list each disagreement: wrong speakers, missed and extra quotes.")
@click.option("--min-f1", type=float, default=None,
              help="Exit 1 when the speaker + span (exact) F1 over all articles is below this.")
def eval_command(draft_dir, curated_dir, fmt, details, min_f1):
    """Score draft annotations against curated ones: quote spans, speakers, actors (precision, recall, F1).

    DRAFT_DIR and CURATED_DIR are two article folders, or two folders of article folders paired by name (the
    totals are micro-averaged). Speakers agree by id or by a shared name or alias; `unknown` agrees only with
    `unknown`.

    \b
    Example:
        kg extract page.html -o drafts/ap-2025-02-05-prisons --published 2025-02-05
        kg eval drafts/ap-2025-02-05-prisons articles/ap-2025-02-05-prisons
        kg eval drafts/ articles/ --format json
    """
    from .cli import reports_errors

    reports_errors(_run_eval)(draft_dir, curated_dir, fmt, details, min_f1)


def _run_eval(draft_dir, curated_dir, fmt, details, min_f1):
    try:
        per_article, total = evaluate(draft_dir, curated_dir)
    except KgError:
        raise
    if fmt == "json":
        data = {"articles": {name: {key: r.counts[key].as_dict() for key, _ in MEASURES}
                             for name, r in per_article.items()},
                "total": {key: total.counts[key].as_dict() for key, _ in MEASURES}}
        if details:
            data["details"] = total.details
        click.echo(json.dumps(data, indent=2))
    else:
        if len(per_article) > 1:
            click.echo(f"{'article':<44} {'spans f1':>9} {'speaker+span f1':>16} {'actors f1':>10}")
            for name, result in per_article.items():
                c = result.counts
                click.echo(f"{name[:44]:<44} {c['spans_exact'].f1:>9.3f} {c[HEADLINE].f1:>16.3f} "
                           f"{c['actors'].f1:>10.3f}")
            click.echo()
            click.echo(f"all {len(per_article)} articles:")
        for line in render_table(total):
            click.echo(line)
        if details and total.details:
            click.echo()
            for line in total.details:
                click.echo(f"  {line}")
    if min_f1 is not None and total.counts[HEADLINE].f1 < min_f1:
        from .errors import CheckFailed

        raise CheckFailed(f"speaker + span (exact) F1 {total.counts[HEADLINE].f1:.3f} is below --min-f1 {min_f1}")
