"""Generate a synthetic corpus in the annotation format (docs/design.md), for benchmarks and scale tests.

Each article: about 20 actors (shared across articles with a Zipf-like popularity: a few appear everywhere, most
rarely), 15 statements quoting 150-character sentences that occur once in the text, 2 offers with their proposed
actions, a doctrine condition and several legal positions resting on doctrines drawn from a pool of a few hundred.
The doctrines are not in ontology/doctrines.ttl, so the generator also writes an ontology extension folder that
declares them (pass it to Ontology(extra_extension_dirs=[...]) or `kg build --ontology`).

Deterministic: the same N and seed give the same bytes.

    python scripts/gen_corpus.py --articles 100 --out /tmp/corpus
"""

from __future__ import annotations

import argparse
import bisect
import random
from pathlib import Path

WORDS = ("court judge ruling statute treaty transfer prison citizen government minister agency lawyer policy "
         "appeal hearing evidence order decision federal state border custody detention asylum removal "
         "extradition agreement official spokesperson senator counsel review petition motion").split()
FIRST = "Ana Ben Carla Dario Elena Farid Greta Hugo Ines Jonas Kira Luis Mara Nils Olga Pavel Rosa Sami Tara Uwe".split()
LAST = "Reyes Okafor Lindqvist Moreau Tanaka Novak Haddad Costa Brennan Ivanova Mensah Duarte Keller Sato".split()
ORG_WORDS = "Council Institute Ministry Union Bureau Court League Office Commission Alliance".split()
VIEWS = ["unconstitutional", "illegal", "possible-under-conditions", "uncertain", "legal", "grave-concerns"]
MODALITIES = ["certain", "conditional", "hedged"]
STANCES = ["supports", "opposes", "undecided"]
ACTION_TYPES = ["deportation", "incarceration-abroad", "transfer", "extradition", "acceptance-of-prisoners", "outsourcing"]
STATUSES = ["under-study", "no-plan-in-motion"]

ACTORS_PER_ARTICLE = 20
STATEMENTS_PER_ARTICLE = 15
OFFERS_PER_ARTICLE = 2
POSITIONS_PER_ARTICLE = 6
QUOTE_LENGTH = 150


class Corpus:
    """The shared world: an actor population with Zipf-like popularity and a pool of doctrines."""

    def __init__(self, actors: int = 5000, doctrines: int = 300, seed: int = 7):
        self.seed = seed
        rng = random.Random(seed)
        self.actors = []
        for i in range(actors):
            if i % 5 == 4:
                name = f"{rng.choice(FIRST)} {rng.choice(ORG_WORDS)} of {rng.choice(LAST)} {i}"
                self.actors.append((f"org-{i}", "Organization", name))
            else:
                self.actors.append((f"person-{i}", "Person", f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"))
        weights = [1.0 / (rank + 1) for rank in range(actors)]  # Zipf, s = 1
        self.cumulative, total = [], 0.0
        for w in weights:
            total += w
            self.cumulative.append(total)
        self.doctrines = [f"synthetic-doctrine-{i:03d}" for i in range(doctrines)]

    def pick_actors(self, rng: random.Random, count: int) -> list[tuple[str, str, str]]:
        chosen: dict[str, tuple] = {}
        while len(chosen) < count:
            index = bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])
            actor = self.actors[min(index, len(self.actors) - 1)]
            chosen.setdefault(actor[0], actor)
        return list(chosen.values())

    def doctrine_turtle(self) -> str:
        lines = ["@prefix kg: <https://w3id.org/legal-news-kg/ontology#> .",
                 "@prefix doctrine: <https://w3id.org/legal-news-kg/doctrine/> .",
                 "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .", ""]
        for d in self.doctrines:
            lines.append(f'doctrine:{d} a kg:LegalDoctrine, skos:Concept ; skos:prefLabel "{d.replace("-", " ")}"@en ;\n'
                         f'    skos:notation "{d}" ; skos:inScheme doctrine:scheme ;\n'
                         f'    skos:definition "A generated doctrine for benchmarks."@en .')
        return "\n".join(lines) + "\n"

    def write_ontology_extension(self, directory: Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "synthetic-doctrines.ttl").write_text(self.doctrine_turtle(), encoding="utf-8")
        return directory

    def article(self, number: int) -> tuple[str, str, str]:
        """(slug, article.txt, annotation.yaml) of article ``number``."""
        rng = random.Random(self.seed * 1_000_003 + number)
        slug = f"synthetic-{number:07d}"
        actors = self.pick_actors(rng, ACTORS_PER_ARTICLE)
        publisher = ("synthetic-wire", "Organization", "The Synthetic Wire")
        paragraphs = [f"Synthetic report number {number} on a legal dispute", "By the Synthetic Wire"]
        quotes = []
        for s in range(STATEMENTS_PER_ARTICLE):
            words = [f"a{number}q{s}"]
            while len(" ".join(words)) < QUOTE_LENGTH:
                words.append(rng.choice(WORDS))
            quote = " ".join(words)[:QUOTE_LENGTH].rstrip()
            speaker = actors[s % len(actors)]
            quotes.append((f"s{s + 1}", speaker[0], quote))
            paragraphs.append(f'{speaker[2]} said: "{quote}"')
        for a in actors:
            paragraphs.append(f"{a[2]} was mentioned in report {number}.")
        text = "\n\n".join(paragraphs) + "\n"

        y = ["format: 1", "annotator: curator", "article:",
             f'  title: "Synthetic report number {number} on a legal dispute"',
             f"  published: 2025-{1 + number % 12:02d}-{1 + number % 28:02d}T09:00:00-05:00",
             f"  publisher: {publisher[0]}", "  tags: [synthetic, benchmark]", "actors:",
             f"  - id: {publisher[0]}", f"    type: {publisher[1]}", f'    name: "{publisher[2]}"']
        for actor_id, kind, name in actors:
            y += [f"  - id: {actor_id}", f"    type: {kind}", f'    name: "{name}"']
        y.append("actions:")
        actions = []
        for o in range(OFFERS_PER_ARTICLE):
            action = f"a{number}-action-{o + 1}"
            actions.append(action)
            y += [f"  - id: {action}", f'    label: "Proposed action {o + 1} of report {number}"',
                  f"    type: {rng.choice(ACTION_TYPES)}", f"    agent: [{actors[o][0]}]"]
        y.append("offers:")
        for o in range(OFFERS_PER_ARTICLE):
            y += [f"  - id: a{number}-offer-{o + 1}", f'    label: "Offer {o + 1} of report {number}"',
                  f"    offeror: {actors[2 + o][0]}", f"    addressee: {actors[4 + o][0]}",
                  f"    actions: [{actions[o]}]", f"    status: [{rng.choice(STATUSES)}]",
                  f"    evidence: [s{o + 1}]"]
        doctrines = rng.sample(self.doctrines, 3)
        y += ["conditions:", f"  - id: a{number}-condition", f"    doctrine: {doctrines[0]}",
              "    kind: requirement", f'    label: "A condition stated in report {number}."', "    evidence: [s3]"]
        y.append("statements:")
        for sid, speaker, quote in quotes:
            y += [f"  - id: {sid}", f"    speaker: {speaker}", f'    quote: "{quote}"', "    said: on Monday",
                  f"    about: [{actions[0]}]"]
        y.append("positions:")
        for p in range(POSITIONS_PER_ARTICLE):
            y += [f"  - id: p{p + 1}", f"    holder: {quotes[p][1]}", f"    view: {rng.choice(VIEWS)}",
                  f"    action: {actions[p % len(actions)]}", f"    doctrine: {doctrines[p % len(doctrines)]}",
                  f"    modality: {rng.choice(MODALITIES)}", f"    stance: {rng.choice(STANCES)}",
                  f"    evidence: [{quotes[p][0]}]"]
        return slug, text, "\n".join(y) + "\n"

    def write_article(self, root: Path, number: int) -> Path:
        slug, text, annotation = self.article(number)
        folder = Path(root) / slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "article.txt").write_text(text, encoding="utf-8")
        (folder / "annotation.yaml").write_text(annotation, encoding="utf-8")
        return folder


def generate(root: Path, articles: int, seed: int = 7, start: int = 0, doctrines: int = 300) -> tuple[Corpus, list[Path]]:
    """Write ``articles`` article folders under ``root/articles`` and the doctrines under ``root/ontology-extension``."""
    corpus = Corpus(actors=max(200, articles * 2), doctrines=doctrines, seed=seed)
    corpus.write_ontology_extension(Path(root) / "ontology-extension")
    folders = [corpus.write_article(Path(root) / "articles", n) for n in range(start, start + articles)]
    return corpus, folders


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    generate(args.out, args.articles, args.seed)
    print(f"wrote {args.articles} articles under {args.out / 'articles'} and the doctrines under "
          f"{args.out / 'ontology-extension'}")


if __name__ == "__main__":
    main()
