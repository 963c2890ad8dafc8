"""The review page in real headless Chromium: file:// load, filters, search, no injection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_report import make_store

from benchmarks.headless import chromium_available, headless_chromium
from corpus.report import write_report
from corpus.store import Store

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = pytest.mark.skipif(
    not chromium_available(),
    reason="needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium "
    "chromium-driver)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with headless_chromium("--window-size=1400,1000") as driver:
        yield driver


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    out = folder / "report.html"
    write_report(make_store(folder / "dari.sqlite"), out)
    return out


def open_page(driver, path: Path, fragment: str = "") -> None:
    """A fresh load (a new fragment alone would only fire hashchange and keep the filters)."""
    driver.get("about:blank")
    driver.get(path.as_uri() + fragment)
    ready = driver.execute_script("return document.body.dataset.ready")
    assert ready == "true", "the page script did not finish"


def visible_rows(driver, table: str) -> list[str]:
    """The text of the rows a reader can see (one script call, not one per row)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".filter(function (tr) { return tr.getClientRects().length > 0; })"
        ".map(function (tr) { return tr.innerText; });",
        f"#{table} tbody tr",
    )


def type_into(driver, element_id: str, text: str) -> None:
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def test_pairs_table_sorts_and_links_to_the_pair_view(browser, report: Path):
    from selenium.webdriver.common.by import By

    open_page(browser, report)
    rows = visible_rows(browser, "pairs-table")
    assert len(rows) == 2 and rows[0].startswith("1")
    confidence = browser.find_element(By.CSS_SELECTOR, '#pairs-table th[data-key="conf"]')
    confidence.click()  # highest first
    assert visible_rows(browser, "pairs-table")[0].startswith("1")
    confidence.click()  # lowest first
    assert visible_rows(browser, "pairs-table")[0].startswith("2")
    browser.find_element(By.LINK_TEXT, "English story 1").click()
    assert browser.current_url.endswith("#pair-1")
    assert not browser.find_element(By.ID, "overview").is_displayed()
    assert len(visible_rows(browser, "beads")) == 4


def test_score_filter_flags_search_and_no_injection(browser, report: Path):
    from selenium.webdriver.common.by import By

    open_page(browser, report, "#pair-1")
    rows = visible_rows(browser, "beads")
    assert len(rows) == 4
    hostile = [r for r in rows if "<script>" in r]
    assert hostile and "</script><b>bold</b>" in hostile[0], "markup shows as text"
    assert browser.execute_script("return document.querySelectorAll('#beads b').length") == 0
    assert any("no counterpart" in r for r in rows), "the unaligned sentence has its own row"

    type_into(browser, "min-score", "0.5")
    rows = visible_rows(browser, "beads")
    assert len(rows) == 3 and not any("<script>" in r for r in rows)
    assert browser.find_element(By.ID, "min-score-range").get_attribute("value") == "0.5"

    browser.find_element(By.ID, "show-unaligned").click()
    assert len(visible_rows(browser, "beads")) == 2

    type_into(browser, "search", "3시간")
    rows = visible_rows(browser, "beads")
    assert len(rows) == 1 and "Talks lasted 3 hours." in rows[0]
    assert "1 of 4 rows shown" in browser.find_element(By.ID, "rows-count").text

    type_into(browser, "search", "MINISTER")
    rows = visible_rows(browser, "beads")
    assert len(rows) == 1 and "The minister arrived on Monday." in rows[0]
    ARTIFACTS.mkdir(exist_ok=True)
    open_page(browser, report, "#pair-1")
    browser.save_screenshot(str(ARTIFACTS / "report.png"))


def test_flag_checkbox_keeps_only_flagged_rows(browser, report: Path):
    from selenium.webdriver.common.by import By

    open_page(browser, report, "#pair-2")
    assert len(visible_rows(browser, "beads")) == 2
    browser.find_element(By.CSS_SELECTOR, '#flag-filter input[value="partial"]').click()
    rows = visible_rows(browser, "beads")
    assert len(rows) == 1 and "Busan reported none." in rows[0]


def test_overview_screenshot(browser, report: Path):
    open_page(browser, report)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "report-overview.png"))
    assert (ARTIFACTS / "report-overview.png").stat().st_size > 0


def test_pairs_table_pages_and_sorts_by_coverage(browser, tmp_path: Path):
    from selenium.webdriver.common.by import By

    many = [([f"Story {n} said."], [f"기사 {n}."], [([0], [0], 0.5, [])]) for n in range(230)]
    store = make_store(tmp_path / "many.sqlite", many)
    with Store(store) as s:  # coverage falls with the pair number: pair 230 is lowest
        s.db.execute("UPDATE aligned_pairs SET en_coverage = 1.0 - pair_id / 1000.0")
    out = tmp_path / "many.html"
    write_report(store, out)
    open_page(browser, out)
    assert len(visible_rows(browser, "pairs-table")) == 100
    assert browser.find_element(By.ID, "page-info").text == "page 1 of 3"
    browser.find_element(By.ID, "next-page").click()
    browser.find_element(By.ID, "next-page").click()
    rows = visible_rows(browser, "pairs-table")
    assert len(rows) == 30 and rows[0].startswith("201")
    browser.find_element(By.CSS_SELECTOR, '#pairs-table th[data-key="covEn"]').click()
    browser.find_element(By.CSS_SELECTOR, '#pairs-table th[data-key="covEn"]').click()
    assert browser.find_element(By.ID, "page-info").text == "page 1 of 3"
    assert visible_rows(browser, "pairs-table")[0].startswith("230")


def test_doc_report_opens_on_its_pair_with_the_min_score_applied(browser, tmp_path: Path):
    from selenium.webdriver.common.by import By

    out = tmp_path / "one.html"
    write_report(make_store(tmp_path / "one.sqlite"), out, doc="en-1", min_score=0.8)
    open_page(browser, out)
    assert browser.current_url.endswith("#pair-1")
    rows = visible_rows(browser, "beads")
    # 0.91 passes; 0.35 and 0.72 are hidden; the unaligned sentence stays in place
    assert len(rows) == 2 and "The minister arrived" in rows[0] and "Extra line." in rows[1]
    assert browser.find_element(By.ID, "min-score").get_attribute("value") == "0.8"
    browser.find_element(By.LINK_TEXT, "← All pairs").click()
    assert browser.find_element(By.ID, "overview").is_displayed()
    assert len(visible_rows(browser, "pairs-table")) == 1
