"""The review page in real headless Chromium: file:// load, filters, search, no injection."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_report import make_store

from corpus.report import write_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium "
    "chromium-driver)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="dari-chromium-")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


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
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")
    return [row.text for row in rows if row.is_displayed()]


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
