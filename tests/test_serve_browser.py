"""`wordvec serve` in a real browser: Debian's Chromium driven by Selenium (chromium-driver),
against `wordvec serve` started in a subprocess on a free 127.0.0.1 port.

Without chromium, chromedriver or selenium these tests skip, saying why; with
WORDVEC_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead. Screenshots go
to the test's temporary folder, and also to $WORDVEC_SCREENSHOT_DIR when set
(that is how docs/img/ was made).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from serve_data import write_models

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def _missing() -> str | None:
    if CHROMIUM is None:
        return "chromium is not installed (apt-get install chromium chromium-driver)"
    if CHROMEDRIVER is None:
        return "chromedriver is not installed (apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install 'wordvec[serve]')"
    return None


@pytest.fixture(scope="module")
def browser():
    why = _missing()
    if why:
        if os.environ.get("WORDVEC_REQUIRE_BROWSER") == "1":
            pytest.fail(f"WORDVEC_REQUIRE_BROWSER=1 but {why}")
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="wordvec-chromium-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1280,860", "--hide-scrollbars", f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _start(*args):
    proc = subprocess.Popen([sys.executable, "-m", "wordvec.cli", "serve", *map(str, args),
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    return proc


def _url(proc):
    line = proc.stdout.readline()
    m = re.match(r"wordvec serve: (http://127\.0\.0\.1:\d+/)", line)
    if not m:
        proc.kill()
        raise AssertionError(f"no URL from wordvec serve: {line!r} {proc.stderr.read()}")
    return m.group(1)


@pytest.fixture(scope="module")
def servers(browser, tmp_path_factory):
    """One server with one model, one with two models and evaluation files (started together)."""
    a, b, questions, pairs = write_models(tmp_path_factory.mktemp("browser"))
    one = _start(a)
    two = _start(a, b, "--eval-analogies", questions, "--pairs", pairs)
    try:
        yield _url(one), _url(two)
    finally:
        for p in (one, two):
            p.terminate()
            p.wait(timeout=20)


@pytest.fixture
def shots(tmp_path):
    extra = os.environ.get("WORDVEC_SCREENSHOT_DIR")

    def save(driver, name):
        path = tmp_path / name
        assert driver.save_screenshot(str(path))
        assert path.stat().st_size > 10_000  # a real picture, not an empty page
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(extra) / name)
        return path

    return save


def _wait(driver, condition, timeout=10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: condition(d))


def _css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def _query(driver):
    return {k: v[0] for k, v in parse_qs(urlparse(driver.current_url).query).items()}


def _no_console_errors(driver):
    """No CSP violation, failed script or failed load; the API's deliberate 4xx answers aside."""
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and not (
        e["source"] == "network" and "/api/" in e["message"] and "status of 4" in e["message"])]
    assert not errors, errors


def test_type_a_word_see_neighbours_move_analogy_and_map(browser, servers, shots):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    d = browser
    d.get(servers[0])
    _wait(d, lambda d: d.find_element("tag name", "body").get_attribute("data-ready") == "1")
    assert "sg.wv: 2,000 words × 32" in d.find_element("id", "models-info").text
    assert not d.find_element("id", "tab-eval").is_displayed()  # no evaluation files given

    # prefix completion while typing
    box = d.find_element("id", "q")
    box.send_keys("kin")
    _wait(d, lambda d: [li.text for li in _css(d, "#completions li")] == ["king"])
    box.send_keys("g", Keys.ENTER)
    _wait(d, lambda d: len(_css(d, "li.neighbor")) == 15)
    assert _query(d)["word"] == "king"
    time.sleep(0.5)  # past the completion's 120 ms debounce: a late answer must not reopen it
    assert not d.find_element("id", "completions").is_displayed()
    words = [e.text for e in _css(d, "li.neighbor a")]
    assert words[0] == "queen" and "king" not in words
    bars = [e.size["width"] for e in _css(d, "li.neighbor .bar")]
    assert bars == sorted(bars, reverse=True) and bars[0] > bars[-1] > 0

    # the map: 21 points with labels; hovering a point shows its word
    _wait(d, lambda d: len(_css(d, "#map svg g.pt circle")) == 21)
    labels = [t.text for t in _css(d, "#map svg g.pt text")]
    assert labels[0] == "king" and len(labels) == 21 and set(words) <= set(labels[1:])
    target = _css(d, "#map svg g.pt.neighbor")[0]
    ActionChains(d).move_to_element(target.find_element("tag name", "circle")).perform()
    _wait(d, lambda d: d.find_element("id", "hover").text.startswith("queen"))
    shots(d, "serve-neighbours-map.png")

    # click a neighbour: the view moves to it, and the URL says so
    _css(d, "li.neighbor a")[1].click()
    _wait(d, lambda d: _query(d).get("word") == words[1])
    _wait(d, lambda d: words[1] in d.find_element("id", "results-title").text)
    d.back()
    _wait(d, lambda d: _query(d).get("word") == "king" and
          "“king”" in d.find_element("id", "results-title").text)

    # the analogy form, both methods
    d.find_element("id", "tab-analogy").click()
    _wait(d, lambda d: d.find_element("id", "an-a").is_displayed())
    for field, word in (("an-a", "man"), ("an-b", "king"), ("an-c", "woman")):
        d.find_element("id", field).send_keys(word)
    d.find_element("css selector", "#analogy-form button").click()
    _wait(d, lambda d: _query(d).get("a") == "man" and _css(d, ".answers li.neighbor a"))
    assert _css(d, ".answers li.neighbor a")[0].text == "queen"
    assert _query(d) == {"a": "man", "b": "king", "c": "woman", "method": "3cosadd"}
    _wait(d, lambda d: len(_css(d, "#map svg g.pt")) >= 4)

    # a typed list, straight from a shared URL
    d.get(servers[0] + "?words=paris,berlin,tokyo,france,germany,japan&map=pca")
    _wait(d, lambda d: len(_css(d, "#map svg g.pt.word circle")) == 6)
    assert [t.text for t in _css(d, "#map svg g.pt text")] == [
        "paris", "berlin", "tokyo", "france", "germany", "japan"]

    # an unknown word: a message with close spellings to click
    box = d.find_element("id", "q")
    box.clear()
    box.send_keys("quen", Keys.ENTER)
    _wait(d, lambda d: "not in the vocabulary" in d.find_element("id", "message").text)
    _css(d, "#message a.suggestion")[0].click()
    _wait(d, lambda d: _query(d).get("word") == "queen" and len(_css(d, "li.neighbor")) == 15)
    assert not d.find_element("id", "message").is_displayed()
    _no_console_errors(d)


def test_two_models_side_by_side_with_overlap_and_evaluation(browser, servers, shots):
    d = browser
    d.get(servers[1] + "?word=paris")
    _wait(d, lambda d: len(_css(d, "#columns .column")) == 2 and
          len(_css(d, "li.neighbor")) == 30)
    cols = _css(d, "#columns .column")
    assert [c.find_element("tag name", "h3").text for c in cols] == ["sg.wv", "epoch1.wv"]
    left = {e.text for e in cols[0].find_elements("css selector", "li.neighbor a")}
    right = {e.text for e in cols[1].find_elements("css selector", "li.neighbor a")}
    marked = {e.find_element("tag name", "a").text for e in cols[0].find_elements(
        "css selector", "li.neighbor.shared")}
    assert marked == left & right and 0 < len(marked) < 15
    assert "shared" in d.find_element("id", "legend").text
    assert cols[0].location["y"] == cols[1].location["y"]  # really side by side
    _wait(d, lambda d: len(_css(d, "#map svg g.pt circle")) == 21)
    shots(d, "serve-side-by-side.png")

    d.find_element("id", "tab-eval").click()
    _wait(d, lambda d: d.find_element("id", "eval-panel").is_displayed() and
          len(_css(d, "pre.eval-text")) == 2)
    texts = [e.text for e in _css(d, "pre.eval-text")]
    assert "questions.txt" in texts[0] and "100.00%" in texts[0]
    _no_console_errors(d)


def test_api_docs_page_lists_the_endpoints_offline(browser, servers):
    d = browser
    d.get(servers[0] + "docs")
    _wait(d, lambda d: len(_css(d, "section.endpoint")) >= 7)
    heads = [e.text for e in _css(d, "section.endpoint h2")]
    assert "GET /api/neighbors" in heads and "GET /api/analogy" in heads
    _no_console_errors(d)
