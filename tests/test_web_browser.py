"""End to end in a real headless browser (Debian's chromium + chromedriver, driven by selenium).

The server runs in a thread on a free port; the browser drafts from the bundled example (six
sections, the tables, the docx download), checks a report with a planted Table 3 error (that
exact cell highlighted, its finding on hover and on click), runs a batch, and asks a question and
opens its citation. It takes a screenshot of each page; with ``REPORT_AGENT_SCREENSHOTS=docs`` they
are copied there (that is how the README's screenshots are made).

Skipped only where chromium or chromedriver is not installed; nothing here downloads a browser or
a driver (the driver's path is given, and selenium-manager is told to stay offline).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_fixtures import clean_report_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
    "--lang=zh-CN",
)
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="chromium / chromedriver not installed"
)
WAIT = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(shared_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from agent.settings import load_settings
    from agent.web.app import create_app

    home = tmp_path_factory.mktemp("web-home")
    settings = load_settings(index_path=shared_index, offline=True, home=home)
    app = create_app(settings, root=tmp_path_factory.mktemp("web-root") / "sessions")
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started:
        assert time.time() < deadline, "the web server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must never fetch anything
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads  # type: ignore[attr-defined]
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def until(driver: object, condition: object, timeout: float = WAIT) -> object:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)  # type: ignore[arg-type]


def screenshot(driver: object, shots: Path, name: str, height: int | None = None) -> Path:
    """A PNG of the page (the whole page up to 2,600 px high); copied to $REPORT_AGENT_SCREENSHOTS."""
    full = height or min(2600, int(driver.execute_script("return document.documentElement.scrollHeight")))  # type: ignore[attr-defined]
    driver.set_window_size(1280, max(900, full))  # type: ignore[attr-defined]
    path = shots / f"{name}.png"
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    driver.set_window_size(1280, 900)  # type: ignore[attr-defined]
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    target = os.environ.get("REPORT_AGENT_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)
    return path


def test_draft_from_the_bundled_example_and_download_the_docx(server, browser, shots):
    from docx import Document
    from selenium.webdriver.common.by import By

    d = browser
    d.get(server + "/draft")
    d.find_element(By.ID, "notes").send_keys(str(EXAMPLES / "notes-2024.md"))
    d.find_element(By.ID, "figures").send_keys(str(EXAMPLES / "figures-2024.yaml"))
    d.find_element(By.ID, "previous").send_keys(str(EXAMPLES / "report-2023.md"))
    d.find_element(By.ID, "draft-submit").click()
    until(d, lambda x: x.find_elements(By.ID, "recheck"))
    headings = [h.text for h in d.find_elements(By.CSS_SELECTOR, "section.draft-section > h2")]
    assert [h.split("、")[0] for h in headings] == ["一", "二", "三", "四", "五", "六"]
    assert len(d.find_elements(By.CSS_SELECTOR, "table.gov")) == 3
    assert d.find_element(By.TAG_NAME, "h1").text == "示例县民族宗教事务局2024年政府信息公开工作年度报告"
    d.find_elements(By.CSS_SELECTOR, "details.sources summary")[1].click()  # a paragraph with bullets
    screenshot(d, shots, "web-draft")
    d.find_element(By.ID, "dl-draft-docx").click()
    docx = d.downloads / "draft.docx"
    until(
        d, lambda _: docx.is_file() and docx.stat().st_size > 0 and not list(d.downloads.glob("*.crdownload"))
    )
    assert any("总体情况" in p.text for p in Document(str(docx)).paragraphs)


def test_check_a_report_with_a_planted_table3_error_highlights_that_cell(server, browser, shots, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    text = clean_report_text()
    row = next(ln for ln in text.splitlines() if ln.startswith("| 一、本年新收"))
    planted = tmp_path / "示例县民族宗教事务局2024年报.md"
    planted.write_text(text.replace(row, row.rsplit("|", 2)[0] + "| 9 |"), encoding="utf-8")
    d = browser
    d.get(server + "/check")
    d.find_element(By.ID, "report").send_keys(str(planted))
    d.find_element(By.ID, "check-submit").click()
    until(d, lambda x: x.find_elements(By.CSS_SELECTOR, 'td[data-cell="表三:new:total"]'))
    cell = d.find_element(By.CSS_SELECTOR, 'td[data-cell="表三:new:total"]')
    assert cell.text == "9" and "sev-error" in cell.get_attribute("class").split()
    assert "T3-ROW" in cell.get_attribute("title") and "六类申请人之和为6" in cell.get_attribute("title")
    assert cell.value_of_css_property("background-color") == "rgba(253, 224, 224, 1)"
    plain = d.find_element(By.CSS_SELECTOR, 'td[data-cell="表三:new:natural"]')
    assert "sev-error" not in plain.get_attribute("class") and plain.value_of_css_property(
        "background-color"
    ) != cell.value_of_css_property("background-color")
    screenshot(d, shots, "web-check")
    ActionChains(d).move_to_element(cell).click().perform()
    key = cell.get_attribute("data-findings").split()[0]
    until(d, lambda x: "flash" in x.find_element(By.ID, f"f-{key}").get_attribute("class"), 5)
    assert "T3-ROW" in d.find_element(By.ID, f"f-{key}").text


def test_batch_upload_shows_a_sortable_table_linking_to_each_check(server, browser, shots, tmp_path):
    from batch_fixtures import generate
    from selenium.webdriver.common.by import By

    reports = generate(tmp_path / "各单位", units=4, defects=3)  # 2023 and 2024 of four units
    d = browser
    d.get(server + "/batch")
    d.find_element(By.ID, "reports").send_keys("\n".join(str(g.path) for g in reports))
    d.find_element(By.ID, "batch-submit").click()
    until(d, lambda x: x.find_elements(By.ID, "batch-table"))
    assert len(d.find_elements(By.CSS_SELECTOR, "#batch-table tbody tr")) == len(reports)
    d.find_element(By.XPATH, "//table[@id='batch-table']//th[text()='错误']").click()
    d.find_element(By.XPATH, "//table[@id='batch-table']//th[text()='错误']").click()  # descending
    errors = [
        int(r.find_elements(By.TAG_NAME, "td")[4].text)
        for r in d.find_elements(By.CSS_SELECTOR, "#batch-table tbody tr")
    ]
    assert errors == sorted(errors, reverse=True) and errors[0] > 0
    screenshot(d, shots, "web-batch")
    t3 = next(g for g in reports if g.defect == "t3_total")
    d.find_element(By.LINK_TEXT, t3.path.name).click()
    until(d, lambda x: x.find_elements(By.CSS_SELECTOR, 'td[data-cell="表三:new:total"]'))
    assert "sev-error" in d.find_element(By.CSS_SELECTOR, 'td[data-cell="表三:new:total"]').get_attribute(
        "class"
    )
    assert f"上年报告：{t3.previous.name}" in d.find_element(By.TAG_NAME, "main").text


def test_ask_a_question_and_open_its_citation(server, browser, shots):
    from selenium.webdriver.common.by import By

    d = browser
    d.get(server + "/ask")
    d.find_element(By.ID, "q").send_keys("行政机关不能当场答复的，多少个工作日内答复？")
    d.find_element(By.ID, "ask-submit").click()
    until(d, lambda x: x.find_elements(By.ID, "answer"))
    cite = d.find_element(By.CSS_SELECTOR, "#answer button.cite")
    assert cite.text == "[条例 第三十三条]"
    cite.click()
    dialog = d.find_element(By.ID, cite.get_attribute("data-dialog"))
    until(d, lambda _: dialog.get_attribute("open") is not None, 5)
    assert "20个工作日内予以答复" in dialog.text and dialog.find_elements(By.TAG_NAME, "mark")
    screenshot(d, shots, "web-ask", height=900)
