"""graph.html in real headless Chromium (Debian's, driven by Playwright's Python client).

Chromium is installed by `make browser` (part of `make test`); without it these tests fail and say so. Each run
saves screenshots in tests/artifacts/ (git-ignored) for a person to look at.
"""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import main

from .conftest import ARTIFACTS, SEED_DIR

HOSTILE_DIR = Path(__file__).parent / "data" / "html" / "hostile-story"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Chromium is not installed, so the HTML graph cannot be tested in a browser: run `make browser` "
                    "(or `apt-get install chromium`) and run the tests again")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright's Python client is missing: install the test extra, `pip install -e '.[test]'`")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Page:
    """A page opened from disk, recording console errors, uncaught exceptions, dialogs and network requests."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.errors, self.dialogs, self.requests = [], [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)

    def js(self, expression, arg=None):
        return self.page.evaluate(expression, arg)

    def search(self, text):
        self.page.fill("#search", text)
        self.page.wait_for_selector("#results li")
        self.page.keyboard.press("Enter")
        self.page.wait_for_selector("#panel:not([hidden])")
        self.page.wait_for_timeout(500)  # the focus animation

    def panel(self) -> str:
        return self.page.inner_text("#panel")

    def shot(self, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))

    def close(self):
        self.page.close()


def drawn_pixels(page: Page) -> int:
    return page.js("""() => {
        const c = document.querySelector('#graph canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
    }""")


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser-seed")
    result = kg("build", SEED_DIR, "--store", out)
    assert result.exit_code == 0, result.output
    assert kg("show", "--store", out, "--view", "actors", "-o", out / "actors.html").exit_code == 0
    return out


def test_the_seed_graph_opens_and_leads_from_gelernt_to_his_words(browser, seed_out):
    page = Page(browser, seed_out / "graph.html")
    try:
        assert page.errors == [] and page.dialogs == []
        assert [u for u in page.requests if not u.startswith("file://")] == []  # nothing from the network
        assert drawn_pixels(page) > 5_000  # the canvas is drawn
        legend = page.js("() => [...document.querySelectorAll('#legend .name')].map(e => e.textContent)")
        assert {"person", "organization", "statement", "legal position", "offer", "proposed action"} <= set(legend)
        assert legend == sorted(legend, key=str.casefold)
        page.shot("graph-seed.png")

        page.search("Gelernt")
        selected = page.js("() => window.kg.network.getSelectedNodes().map(i => window.kg.data.nodes[i].iri)")
        assert selected == ["https://w3id.org/legal-news-kg/id/actor/lee-gelernt"]
        panel = page.panel()
        assert "Lee Gelernt" in panel and "ACLU attorney" in panel
        assert "You may not deport a U.S. citizen, period," in panel
        assert "a non-starter." in panel
        assert "npr-2025-02-05-el-salvador-prisons, characters " in panel
        page.shot("graph-seed-gelernt.png")

        # from one of his relations to the words behind it
        page.page.click("#panel .links button.more")
        assert "Lee Gelernt" in page.page.inner_text("#panel h2")  # the relation, from him or to him
        assert "EVIDENCE (" in page.panel().upper()
        assert page.js("() => document.querySelectorAll('#panel blockquote.quote cite').length") > 0
        assert "characters " in page.page.inner_text("#panel blockquote.quote cite")
        assert page.errors == []
    finally:
        page.close()


def test_long_labels_below_their_nodes_wrap_instead_of_running_into_each_other(browser, seed_out):
    """Regression: a label drawn below its node was one line as long as the name, so two neighbours' labels ran
    into each other ("a journalist" and "journalists on Rubio's trip to El Salvador" read as one). They now wrap
    at 160 pixels; those two no longer overlap."""
    page = Page(browser, seed_out / "graph.html")
    try:
        page.page.wait_for_timeout(1500)  # the layout settles
        boxes = page.js("""() => {
            const out = {};
            for (const [id, node] of Object.entries(window.kg.network.body.nodes)) {
                const n = window.kg.data.nodes[id];
                if (!n || node.options.shape === "box") continue;
                const s = node.labelModule.size;
                out[n.name] = {left: s.left, top: s.top, width: s.width, height: s.height};
            }
            return out;
        }""")
        assert len(boxes) > 50
        widest = max(boxes.values(), key=lambda b: b["width"])
        assert widest["width"] <= 165, widest
        a, b = boxes["a journalist"], boxes["journalists on Rubio's trip to El Salvador"]
        apart = (a["left"] + a["width"] <= b["left"] or b["left"] + b["width"] <= a["left"]
                 or a["top"] + a["height"] <= b["top"] or b["top"] + b["height"] <= a["top"])
        assert apart, (a, b)
        assert page.errors == []
    finally:
        page.close()


def test_filters_hide_classes_relations_and_articles(browser, seed_out):
    page = Page(browser, seed_out / "graph.html")
    try:
        count = "() => [window.kg.network.body.data.nodes.length, window.kg.network.body.data.edges.length]"
        nodes, edges = page.js(count)
        statements = page.js("() => window.kg.data.classes.find(c => c.label === 'statement').count")
        page.page.click("#legend li[data-class$='#Statement'] input")
        assert page.js(count)[0] == nodes - statements
        page.page.click("#legend li[data-class$='#Statement'] input")
        assert page.js(count) == [nodes, edges]
        page.page.click("#relations li:first-child input")
        assert page.js(count)[1] < edges
        page.page.select_option("#article", "0")
        assert page.js(count)[0] == nodes  # one article: everything is in it
        assert page.errors == []
    finally:
        page.close()


def test_the_actor_view_page_shows_who_did_what_to_whom(browser, seed_out):
    page = Page(browser, seed_out / "actors.html")
    try:
        assert page.errors == []
        relations = page.js("() => window.kg.data.relations.map(r => r.label)")
        assert {"offered to", "said about", "opposes", "supports", "holds post in"} <= set(relations)
        page.search("Bukele")
        panel = page.panel()
        assert "Nayib Bukele" in panel and "offered to" in panel
        page.shot("actors-seed-bukele.png")
    finally:
        page.close()


def test_hostile_text_is_shown_never_run(browser, tmp_path):
    assert kg("build", HOSTILE_DIR, "--store", tmp_path).exit_code == 0
    page = Page(browser, tmp_path / "graph.html")
    try:
        page.search("Twin")
        panel = page.panel()
        assert "Gelernt </script><b>Twin</b> & Sons" in panel  # shown as the words they are
        assert "<img src=x onerror=alert(1)>" in panel
        # the tooltip of the node, under the mouse
        x, y = page.js("""() => { const n = window.kg.network, id = n.getSelectedNodes()[0];
            const p = n.canvasToDOM(n.getPosition(id)), r = document.getElementById('graph').getBoundingClientRect();
            return [p.x + r.left, p.y + r.top]; }""")
        page.page.mouse.move(x, y)
        page.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
        assert "Gelernt </script><b>Twin</b> & Sons" in page.page.inner_text("div.vis-tooltip")
        assert page.js("() => document.querySelectorAll('img, b, iframe').length") == 0
        assert page.js("() => window.__pwned === undefined")
        assert page.dialogs == [] and page.errors == []
        assert page.js("() => document.title").startswith("Knowledge graph: Hostile </script>")
        page.shot("graph-hostile.png")
    finally:
        page.close()
