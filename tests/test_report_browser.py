"""The report in a real browser: headless Chromium (Debian's chromium + chromium-driver), via Selenium.

Checks what a person opening the report would see: it loads offline with no console
error and no request leaving its folder, the rules chart has one bar per rule, the page
with an empty article is in the flagged table, the tables sort and filter, and clicking
a page opens its view, where a removed line carries its rule.  A screenshot of the
overview is written as a test artefact (its path is printed; set
``CORPUSCONV_ARTEFACTS=DIR`` to choose where).

Chromium is required, not optional: ``.ci/run`` installs it, so a missing browser fails
these tests with a message saying how to install it, rather than skipping them.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from corpusconv.report import ReportOptions, build_report

from report_data import page_with_source, small_set, write_jsonl

CHROMIUM_NAMES = ("chromium", "chromium-browser")
DRIVER_NAMES = ("chromedriver",)
# Without the background-networking flags Chromium tries to reach its update and sync
# services; the machine has no network, and the test must see only the report's requests.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,1500")
WAIT_SECONDS = 10
LOCAL_SCHEMES = ("file:", "data:")


def _find(names: tuple[str, ...]) -> str | None:
    return next((p for p in map(shutil.which, names) if p), None)


@pytest.fixture(scope="module")
def driver():
    chromium, chromedriver = _find(CHROMIUM_NAMES), _find(DRIVER_NAMES)
    if not chromium or not chromedriver:
        pytest.fail("the report's browser tests need headless Chromium and its driver: "
                    f"chromium {'found' if chromium else 'missing'}, chromedriver "
                    f"{'found' if chromedriver else 'missing'} (apt-get install chromium chromium-driver; "
                    ".ci/run installs them)", pytrace=False)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is missing: pip install -e '.[test]'", pytrace=False)
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        opts.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="corpusconv-chromium-")
    opts.add_argument(f"--user-data-dir={profile}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    drv = webdriver.Chrome(service=Service(chromedriver), options=opts)
    drv.set_page_load_timeout(WAIT_SECONDS * 3)
    drv.get("about:blank")
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    """A report of the hand-made pages plus one real converted page whose input is on disk."""
    root = tmp_path_factory.mktemp("report-browser")
    real, _ = page_with_source(root, "kitchen-garden.txt")
    records = small_set() + [real]
    src = write_jsonl(root / "corpus.jsonl", records)
    out = root / "report.html"
    build_report(ReportOptions(records=[str(src)], output=str(out)))
    rules = sorted({r["rule"] for rec in records for r in rec["boilerplate"]})
    return {"out": out, "records": records, "rules": rules, "real": real}


def open_page(drv, path: Path) -> tuple[list[dict], list[str]]:
    """Load ``path``; return the console entries and the URLs requested while loading it."""
    drv.get_log("browser")
    drv.get_log("performance")  # drain what earlier pages logged
    drv.get(path.as_uri())
    return drv.get_log("browser"), requested_urls(drv)


def requested_urls(drv) -> list[str]:
    """URLs requested by the report's documents (Chromium's own pages, such as the new-tab
    page it starts with, log their requests too: they are not the report's)."""
    urls = []
    for entry in drv.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            params = msg["params"]
            if params.get("documentURL", "").startswith("file:"):
                urls.append(params["request"]["url"])
    return urls


def rows(drv, section: str) -> list:
    return drv.find_elements("css selector", f"#{section} table.data tbody tr")


def test_report_loads_offline_without_console_errors(driver, report):
    console, urls = open_page(driver, report["out"])
    assert [e for e in console if e["level"] in ("SEVERE", "WARNING")] == []
    assert urls and all(u.startswith(LOCAL_SCHEMES) for u in urls), urls
    assert len(rows(driver, "pages")) == len(report["records"])


def test_a_view_loads_offline_without_console_errors(driver, report):
    view = report["out"].parent / "report_files" / "page-000005.html"
    console, urls = open_page(driver, view)
    assert [e for e in console if e["level"] == "SEVERE"] == []
    assert urls and all(u.startswith(LOCAL_SCHEMES) for u in urls), urls


def test_rules_chart_has_one_bar_per_rule(driver, report):
    open_page(driver, report["out"])
    bars = driver.find_elements("css selector", "#rules svg.by-rule rect.bar")
    assert len(bars) == len(report["rules"])
    labels = [t.text for t in driver.find_elements("css selector", "#rules svg.by-rule a text")]
    assert sorted(labels) == report["rules"]


def test_a_rule_bar_opens_its_sample_lines(driver, report):
    open_page(driver, report["out"])
    details = driver.find_element("id", "rule-shape.navigation")
    assert details.get_attribute("open") is None
    driver.find_element("css selector", "#rules svg.by-rule a[href='#rule-shape.navigation']").click()
    assert details.get_attribute("open") == "true"
    sample = details.find_element("css selector", "li a")
    assert sample.text == "good:1" and sample.get_attribute("href").endswith("report_files/page-000001.html#L1")


def test_the_empty_article_is_flagged_with_its_reason(driver, report):
    open_page(driver, report["out"])
    flagged = {r.find_element("css selector", "a.view").text: r.text for r in rows(driver, "flagged")}
    assert "empty" in flagged and "the article is empty" in flagged["empty"]
    assert "good" not in flagged
    driver.find_element("css selector", "#flagged a[data-flag='empty-article']").click()
    assert [r.find_element("css selector", "a.view").text for r in rows(driver, "flagged")] == ["empty"]


def test_the_page_table_filters_and_sorts(driver, report):
    open_page(driver, report["out"])
    box = driver.find_element("css selector", "#pages input.filter")
    box.send_keys("untitled")
    assert [r.find_element("css selector", "a.view").text for r in rows(driver, "pages")] == ["untitled"]
    box.clear()
    box.send_keys(" ")  # an input event with an empty query: every page again
    assert len(rows(driver, "pages")) == len(report["records"])
    driver.find_element("css selector", "#pages th[data-key='removed']").click()
    removed = [int(r.find_elements("css selector", "td")[5].text.replace(",", "")) for r in rows(driver, "pages")]
    assert removed == sorted(removed, reverse=True) and removed[0] > removed[-1]


def test_clicking_a_page_opens_its_view_and_removed_lines_carry_their_rule(driver, report):
    open_page(driver, report["out"])
    real = report["real"]
    driver.find_element("link text", real["id"]).click()
    assert driver.current_url.endswith("report_files/page-000005.html")
    assert driver.find_element("css selector", "h1").text == real["title"]
    removed = driver.find_elements("css selector", "#lines .l.r")
    assert len(removed) == len(real["boilerplate"])
    from selenium.webdriver.common.action_chains import ActionChains

    for line in removed:
        rule = line.get_attribute("data-rule")
        assert rule and line.find_element("css selector", "i").text == rule
        ActionChains(driver).move_to_element(line).perform()  # the tooltip is set on hover
        assert line.get_attribute("title").startswith(f"removed by {rule} (")
    footer = driver.find_element("id", "L23")
    assert footer.get_attribute("data-rule") == "footer.powered-by"
    assert footer.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"


def test_a_large_corpus_loads_its_page_table_from_the_folder(driver, tmp_path):
    records = small_set() * 3
    src = write_jsonl(tmp_path / "c.jsonl", records)
    out = tmp_path / "big.html"
    res = build_report(ReportOptions(records=[str(src)], output=str(out), inline_index_pages=4))
    assert not res.inline_index
    console, urls = open_page(driver, out)
    assert [e for e in console if e["level"] == "SEVERE"] == []
    assert any(u.endswith("big_files/pages.js") for u in urls)
    assert len(rows(driver, "pages")) == len(records)


def test_screenshot_of_the_overview(driver, report, tmp_path_factory):
    open_page(driver, report["out"])
    where = Path(os.environ.get("CORPUSCONV_ARTEFACTS") or tmp_path_factory.mktemp("artefacts"))
    where.mkdir(parents=True, exist_ok=True)
    shot = where / "report-overview.png"
    assert driver.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    print(f"\nreport overview screenshot: {shot}")


def test_the_request_check_sees_a_request_that_leaves_the_folder(driver, tmp_path):
    # The no-network assertions above are only as good as this detector: a page that
    # loads an image from a (closed) loopback port must show up in it.
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head>'
                    '<body><img src="http://127.0.0.1:9/x.png"></body></html>')
    _, urls = open_page(driver, page)
    assert "http://127.0.0.1:9/x.png" in urls
