"""The course as a website (`website`): how an executed notebook becomes a page, and -- with ``--site``, after a test
run has kept its executed notebooks (``python course.py test --site``) -- the built site in headless Chromium."""

import functools
import html.parser
import re
import shutil
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
import yaml

from cnn_course.config import REPO_ROOT
from cnn_course.grading.report import MIME_TYPE
from cnn_course.notebooks import build, executed, readme, website
from cnn_course.notebooks.contract import SOLUTIONS

STEMS = [path.stem for path in sorted(SOLUTIONS.glob("*.ipynb"))]
LATEX = re.compile(r"\$\$|\\(frac|times|alpha|sum|lfloor|lceil|mathrm|text|cdot|approx)\b")
SEARCHED = ("narrowest", "05_inception_motivation")  # a word of notebook 05's prose (none other has it), and its page
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND"  # every host name unknown: a page that needs the network errs


def _executed_notebook(*cells, mode="quick"):
    notebook = nbformat.v4.new_notebook(cells=list(cells))
    notebook.metadata["cnn_course"] = {"run": "tests", "mode": mode, "date": "2026-12-02"}
    return notebook


def _code(source, *outputs):
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.from_dict(output) for output in outputs]
    return cell


def test_a_long_log_keeps_its_first_and_last_lines_and_says_how_many_it_left_out():
    log = "".join(f"epoch {i}\n" for i in range(1, 101))
    shown = website.trimmed(log).splitlines()
    assert shown[:2] == ["epoch 1", "epoch 2"] and shown[-1] == "epoch 100"
    assert len(shown) == 2 * website.KEPT_LINES + 1 and "70 lines left out" in shown[website.KEPT_LINES]
    assert website.trimmed("one\ntwo\n") == "one\ntwo\n"


def test_a_page_drops_the_badge_widgets_and_grade_summaries_folds_the_setup_and_says_where_it_ran():
    notebook = _executed_notebook(
        build.badge_cell("notebooks/05_x.ipynb"),
        _code(build.SETUP_MARK + "\nconfig.setup()", {"output_type": "stream", "name": "stdout", "text": "QUICK\n"}),
        nbformat.v4.new_markdown_cell("# 05 — A title\n\nWhat you will learn"),
        _code("train()", {"output_type": "display_data", "metadata": {},
                          "data": {website.WIDGET: {"model_id": "1"}, "text/plain": "0%|"}},
              {"output_type": "stream", "name": "stdout", "text": "step\n" * 200}),
        _code("check_x(x)", {"output_type": "display_data", "metadata": {},
                             "data": {"text/html": "<b>passed</b>", MIME_TYPE: {"passed": True}}}),
    )
    cells = website.page(notebook).cells
    assert not any(build.BADGE_MARK in cell.source for cell in cells)
    assert cells[0].metadata["tags"] == ["hide-input"] and cells[0].outputs[0].text == "QUICK\n"
    assert cells[1].source.startswith("# 05") and cells[2].source.startswith("```{note}")
    assert "quick mode" in cells[2].source and "2026-12-02" in cells[2].source
    trained, graded = cells[3], cells[4]
    assert [output.output_type for output in trained.outputs] == ["stream"]
    assert len(trained.outputs[0].text.splitlines()) == 2 * website.KEPT_LINES + 1
    assert set(graded.outputs[0].data) == {"text/html"}


def test_a_full_mode_page_says_its_numbers_are_the_readmes():
    note = website.provenance(_executed_notebook(mode="full"))
    assert "full mode" in note and "README" in note and "quick" not in note


def test_the_landing_page_links_notebooks_to_their_pages_and_the_rest_to_the_repository():
    text = ("[05](notebooks/05_inception_motivation.ipynb), [data](data/README.md), [up](#quick-start), "
            "[web](https://keras.io)")
    page = website.landing(text, ["00_a", "01_b"], "https://github.com/o/r")
    assert "[05](05_inception_motivation.ipynb)" in page and "[data](https://github.com/o/r/blob/main/data/README.md)" \
        in page and "[up](#quick-start)" in page and "[web](https://keras.io)" in page
    assert page.rstrip().endswith("00_a\n01_b\n```")


def test_a_missing_executed_notebook_names_the_command_that_makes_it(tmp_path, monkeypatch):
    monkeypatch.setattr(executed, "TESTS", tmp_path)
    for stem in STEMS[1:]:
        (tmp_path / f"{stem}.ipynb").write_text("{}")
    with pytest.raises(FileNotFoundError, match=f"{STEMS[0]} from the tests run.*python course.py test"):
        website.sources("tests")
    monkeypatch.setattr(executed, "EXECUTED", tmp_path)
    with pytest.raises(FileNotFoundError, match="python -m cnn_course benchmark"):
        website.sources("full")


def test_an_error_a_run_left_or_a_solution_changed_since_is_a_problem_of_the_site(tmp_path, monkeypatch):
    solution = SOLUTIONS / f"{SEARCHED[1]}.ipynb"
    notebook = _executed_notebook(nbformat.v4.new_markdown_cell("# 05 — A title"),
                                  _code("1 / 0", {"output_type": "error", "ename": "ZeroDivisionError",
                                                  "evalue": "division by zero", "traceback": []}))
    notebook.metadata.cnn_course["solution"] = executed.fingerprint(solution)
    path = tmp_path / solution.name
    nbformat.write(notebook, path)
    monkeypatch.setattr(website, "sources", lambda run: {solution.stem: path})
    found, problems = website.stage("tests", tmp_path / "pages")
    assert found == {solution.stem: path} and (tmp_path / "pages" / "index.md").exists()
    assert len(problems) == 1 and "cell 1 raised ZeroDivisionError: division by zero" in problems[0]
    notebook.metadata.cnn_course["solution"] = "an older version"
    assert [problem.split(": ", 1)[1] for problem in website.faults(notebook, path, solution)][1:] == [
        f"{solution.name} has changed since this run: run it again"]


def test_math_becomes_mathml_the_browser_draws():
    assert re.fullmatch(r'<math[^>]*><mrow><mfrac>.*</mfrac></mrow></math>', website.mathml(r"\frac{a}{b}", "inline"))
    assert 'display="block"' in website.mathml(r"n_H \times n_W", "block")


def test_the_launch_button_opens_the_learners_copy_in_colab():
    options = website.configuration("https://github.com/o/r")["html_theme_options"]
    assert (REPO_ROOT / options["path_to_docs"] / f"{STEMS[0]}.ipynb").exists()
    assert options["path_to_docs"] == build.NOTEBOOKS.name and options["launch_buttons"]["colab_url"]


def test_the_site_address_comes_from_the_repository_url_and_the_readme_gives_it():
    assert website.address("https://github.com/A-Teacher/course-2027") == "https://a-teacher.github.io/course-2027/"
    assert website.address("https://github.com/a-teacher/A-Teacher.github.io") == "https://a-teacher.github.io/"
    assert website.address(build.repository_url()) in readme.block_of((REPO_ROOT / "README.md").read_text(), "site")


def test_the_pages_workflow_builds_the_site_from_the_benchmarks_runs_with_githubs_own_actions():
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "site.yml").read_text())
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    assert all(step["uses"].split("/")[0] == "actions" for step in steps if "uses" in step)
    runs = [step["run"] for step in steps if "run" in step]
    assert any("course.py benchmark" in run for run in runs) and any("course.py site" in run for run in runs)
    uploaded = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert uploaded["with"]["path"] == website.SITE.name
    assert any(step.get("uses", "").startswith("actions/deploy-pages") for step in steps)


# With --site: the site built from this test run's executed notebooks, in a real browser.

@pytest.fixture(scope="module")
def run(request) -> str:
    """The run the site is built from: the last test run's, or with ``--site=full`` the benchmark's full-mode runs."""
    return request.config.getoption("--site") or "tests"


@pytest.fixture(scope="module")
def built(run):
    started = time.perf_counter()
    done = website.build(run)
    print(f"site: {len(done.pages)} pages in {time.perf_counter() - started:.1f} s")
    return done


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: python course.py test "
                                    "installs requirements-test.txt, which has it")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip("no chromium and chromedriver on the PATH: install Debian's chromium and chromium-driver "
                    "(python course.py test --site does, as root with apt-get)")
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600", OFFLINE):
        options.add_argument(argument)
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(options=options, service=webdriver.ChromeService(driver))
    yield chrome
    chrome.quit()


def _until(browser, condition):
    """Wait up to 10 s for `condition(browser)`; fail the test if it does not come."""
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(browser, 10).until(condition)


def _open(browser, path: Path):
    browser.get(path.resolve().as_uri())
    _until(browser, lambda chrome: chrome.execute_script("return document.readyState") == "complete")


def _figures_in(stem: str, run: str) -> int:
    notebook = nbformat.read(website.sources(run)[stem], as_version=4)
    return sum("image/png" in output.get("data", {}) for cell in notebook.cells for output in cell.get("outputs", []))


@pytest.mark.site
def test_the_site_is_the_landing_page_and_the_13_notebooks_built_in_under_a_minute(built):
    assert [page.stem for page in built.pages] == ["index", *STEMS] and all(page.exists() for page in built.pages)
    assert built.seconds < 60 and built.problems == []
    for stem, path in website.sources(built.run).items():  # the download button's notebook: the run, untouched
        assert (website.SITE / "_sources" / f"{stem}.ipynb").read_bytes() == path.read_bytes()


@pytest.mark.site
@pytest.mark.parametrize("stem", ["index", *STEMS])
def test_a_page_loads_offline_with_no_console_error_every_figure_drawn_and_math_rendered(stem, built, browser):
    page = website.SITE / f"{stem}.html"
    _open(browser, page)
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    images = browser.execute_script("return Array.from(document.querySelectorAll('article img')).map(i => "
                                    "[i.getAttribute('src'), i.complete && i.naturalWidth, i.clientWidth])")
    assert all(loaded and shown for _, loaded, shown in images), [src for src, loaded, shown in images
                                                                    if not (loaded and shown)]
    assert len(images) >= (_figures_in(stem, built.run) if stem != "index" else 0)
    prose = browser.execute_script("const article = document.querySelector('article').cloneNode(true); "
                                   "article.querySelectorAll('pre, code').forEach(e => e.remove()); "
                                   "return article.textContent")
    assert "$" not in prose and not LATEX.search(prose), LATEX.search(prose)
    drawn = browser.execute_script("return Array.from(document.querySelectorAll('math')).map(m => "
                                   "[getComputedStyle(m).display, m.getBoundingClientRect().width])")
    assert all(display.endswith("math") and width > 0 for display, width in drawn), drawn  # typeset as MathML
    links = browser.execute_script("return Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert any(link.endswith(f"_sources/{stem}{'.md' if stem == 'index' else '.ipynb'}") for link in links)  # download
    if stem != "index":
        assert build.colab_url(f"notebooks/{stem}.ipynb") in links  # the learner's copy
        assert browser.find_elements("css selector", "a.left-prev") and (stem == STEMS[-1] or browser.find_elements(
            "css selector", "a.right-next"))
        source = (website.STAGE / "pages" / f"{stem}.ipynb").read_text()
        assert bool(drawn) == ("$" in "".join(c.source for c in nbformat.reads(source, 4).cells
                                             if c.cell_type == "markdown"))
    if stem == "05_inception_motivation":  # its formula, first exercise and grade
        browser.execute_script("document.querySelector('article math').scrollIntoView()")
        browser.save_screenshot(str(website.STAGE / "screenshot.png"))


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.ids.update(attrs[key] for key in ("id", "name") if attrs.get(key))
        target = attrs.get("href") or attrs.get("src")
        if target and (not re.match(r"[a-z]+:", target) or tag in ("link", "script", "img", "iframe")):
            self.links.append(target)  # within the site, or what the page loads: a file of the site


@functools.cache
def _parsed(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text())
    return parser


@pytest.mark.site
def test_every_internal_link_resolves(built):
    broken = []
    for page in sorted(website.SITE.glob("*.html")):
        for link in _parsed(page).links:
            parts = urlsplit(link)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.exists() or (parts.fragment and target.suffix == ".html"
                                       and unquote(parts.fragment) not in _parsed(target).ids):
                broken.append(f"{page.name}: {link}")
    assert broken == []


@pytest.mark.site
def test_search_finds_a_notebook_by_a_word_of_it(built, browser):
    from selenium.webdriver.common.keys import Keys

    word, page = SEARCHED
    _open(browser, website.SITE / "search.html")
    box = next(field for field in browser.find_elements("css selector", "input[name=q]") if field.is_displayed())
    box.send_keys(word, Keys.ENTER)
    results = "#search-results a"
    _until(browser, lambda chrome: chrome.find_elements("css selector", results))
    found = [link.get_attribute("href") for link in browser.find_elements("css selector", results)]
    assert [link.split("?")[0].rsplit("/", 1)[1] for link in found] == [f"{page}.html"]
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
