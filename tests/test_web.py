"""The web pages through Starlette's test client, as a user would use them: every route, the bad
uploads (each gets a clear message on the page and leaves no file behind), password, clean-up."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from report_fixtures import clean_report_text
from starlette.testclient import TestClient
from typer.testing import CliRunner

from agent.cli import app as cli_app
from agent.settings import load_settings
from agent.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def make_client(tmp_path: Path, shared_index: Path, **kw: object) -> TestClient:
    password = kw.pop("password", None)
    settings = load_settings(index_path=shared_index, offline=True, **kw)
    return TestClient(create_app(settings, password=password, root=tmp_path / "web"))  # type: ignore[arg-type]


@pytest.fixture
def client(tmp_path: Path, shared_index: Path) -> Iterator[TestClient]:
    with make_client(tmp_path, shared_index) as c:
        c.get("/check")  # the session cookie
        yield c


def session_files(c: TestClient) -> list[Path]:
    root = c.app.state.web.store.root  # type: ignore[attr-defined]
    return [p for p in (root / c.cookies["ra_session"]).rglob("*") if p.is_file()]


def error_of(html: str) -> str:
    m = re.search(r'id="error">([^<]*)<', html)
    return m.group(1) if m else ""


def planted_report() -> bytes:
    """The clean report with Table 3's 一、本年新收 × 总计 changed from 6 to 9."""
    text = clean_report_text()
    row = next(ln for ln in text.splitlines() if ln.startswith("| 一、本年新收"))
    return text.replace(row, row.rsplit("|", 2)[0] + "| 9 |").encode("utf-8")


def cell_classes(html: str, cell: str) -> str:
    m = re.search(rf'class="([^"]*)" data-cell="{re.escape(cell)}"', html)
    assert m, cell
    return m.group(1)


def wait(c: TestClient, url: str) -> dict:
    for _ in range(300):
        status = c.get(url + "/status").json()
        if status["state"] != "running":
            return status
        time.sleep(0.1)
    raise AssertionError("job did not finish")


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize("path", ["/draft", "/check", "/batch", "/ask"])
def test_every_page_opens_in_chinese(client, path):
    r = client.get(path)
    assert r.status_code == 200 and "起草" in r.text and "批量" in r.text
    assert "http://" not in r.text and "https://" not in r.text  # nothing from elsewhere


def test_home_goes_to_draft_and_static_files_are_served(client):
    assert client.get("/", follow_redirects=False).headers["location"] == "/draft"
    assert "sortBy" in client.get("/static/app.js").text
    assert client.get("/static/app.css").status_code == 200


def test_unknown_result_says_so_in_chinese(client):
    r = client.get("/check/doesnotexist")
    assert r.status_code == 404 and "自动删除" in r.text


def test_the_blank_template_downloads_and_opens(client, tmp_path):
    r = client.get("/draft/template.xlsx?year=2024")
    assert r.status_code == 200
    path = tmp_path / "t.xlsx"
    path.write_bytes(r.content)
    assert "表三" in " ".join(openpyxl.load_workbook(path).sheetnames)


# --------------------------------------------------------------------------- check


def test_check_shows_the_planted_cell_and_the_findings(client):
    r = client.post("/check", files={"report": ("某局2024年报.md", planted_report())})
    assert r.status_code == 200 and "/check/" in str(r.url)
    assert "sev-error" in cell_classes(r.text, "表三:new:total")
    assert "sev-error" not in cell_classes(r.text, "表三:new:natural")
    assert "T3-ROW" in r.text and "某局2024年报.md" in r.text
    assert str(client.app.state.web.store.root) not in r.text  # type: ignore[attr-defined]


def test_check_with_last_years_report_runs_the_cross_year_rules(client):
    prev = clean_report_text(year=2023).replace(
        "| 四、结转下年度继续办理 | 1 |", "| 四、结转下年度继续办理 | 3 |"
    )
    r = client.post(
        "/check",
        files={"report": ("2024.md", clean_report_text().encode()), "previous": ("2023.md", prev.encode())},
    )
    assert r.status_code == 200 and "X-CARRY" in r.text and "2023.md" in r.text


def test_a_reviewer_marks_a_finding_and_exports_the_reviewed_result(client, tmp_path):
    r = client.post("/check", files={"report": ("planted.md", planted_report())})
    url = str(r.url).replace("http://testserver", "")
    key = re.search(r'name="finding" value="([0-9a-f]+)"', r.text).group(1)
    r = client.post(f"{url}/mark", data={"finding": key, "status": "verified", "note": "已与原表核对"})
    assert r.status_code == 200 and "已与原表核对" in r.text and "已核实 1" in r.text
    body = client.get(f"{url}/export.json").json()
    marked = [f for f in body["findings"] if f["key"] == key]
    assert marked[0]["review"] == {"status": "verified", "label": "已核实", "note": "已与原表核对"}
    xlsx = tmp_path / "r.xlsx"
    xlsx.write_bytes(client.get(f"{url}/export.xlsx").content)
    rows = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("核实", "备注") and ("已核实", "已与原表核对") in [r[-2:] for r in rows]
    assert client.get(f"{url}/export.pdf").status_code == 404
    # the mark is kept for the same file in a new session
    assert client.post(f"{url}/mark", data={"finding": "nope", "status": "verified"}).status_code == 404


# --------------------------------------------------------------------------- bad uploads

BIG = 60 << 20


@pytest.mark.parametrize(
    ("files", "status", "words"),
    [
        ({"report": ("空.pdf", b"")}, 400, "空文件"),
        ({"report": ("乱码.pdf", bytes(range(256)) * 40)}, 400, "已损坏"),
        ({"report": ("乱码.docx", b"PK\x03\x04" + b"\x00" * 500)}, 400, "已损坏"),
        ({"report": ("大.pdf", b"0" * BIG)}, 413, "上限"),
        ({"report": ("程序.exe", b"MZ\x90\x00")}, 400, "不支持"),
        ({"report": ("无扩展名", b"abc")}, 400, "不支持"),
        ({"previous": ("2023.md", clean_report_text().encode())}, 400, "请选择要检查的报告"),
    ],
)
def test_a_bad_upload_to_check_gets_a_clear_message_and_leaves_nothing(client, files, status, words):
    r = client.post("/check", files=files)
    assert r.status_code == status
    assert words in error_of(r.text), error_of(r.text)
    assert "Traceback" not in r.text and str(client.app.state.web.store.root) not in r.text  # type: ignore[attr-defined]
    assert session_files(client) == []


def test_a_file_over_the_limit_inside_a_streamed_body_is_refused(tmp_path, shared_index):
    """No Content-Length: the limit is enforced while the body streams in."""
    with make_client(tmp_path, shared_index, web_upload_mb=1) as c:
        c.get("/check")
        boundary = "xyz"
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="report"; filename="a.txt"\r\n\r\n'.encode()

        def body() -> Iterator[bytes]:
            yield head
            for _ in range(40):
                yield b"x" * 65536
            yield f"\r\n--{boundary}--\r\n".encode()

        r = c.post(
            "/check", content=body(), headers={"content-type": f"multipart/form-data; boundary={boundary}"}
        )
        assert r.status_code == 413 and "1 MB" in error_of(r.text)
        assert session_files(c) == []


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("files", "status", "words"),
    [
        ([("reports", ("坏.zip", _zip({"ok.md": b"x", "../../x.md": b"evil"})))], 400, "路径不安全"),
        ([("reports", ("绝对.zip", _zip({"/etc/x.md": b"evil"})))], 400, "路径不安全"),
        ([("reports", ("假.zip", b"PK not really a zip"))], 400, "不是有效的 zip"),
        ([("reports", ("空.zip", _zip({"readme.doc": b"x"})))], 400, "没有可检查的报告"),
        (
            [("reports", ("a.md", clean_report_text().encode())), ("reports", ("b.exe", b"MZ"))],
            400,
            "不是报告文件",
        ),
        ([("reports", ("空.md", b""))], 400, "空文件"),
        ([], 400, "请选择"),
    ],
)
def test_a_bad_batch_upload_gets_a_clear_message_and_leaves_nothing(client, files, status, words):
    r = client.post("/batch", files=files or {"x": ("", b"")})
    assert r.status_code == status
    assert words in error_of(r.text), error_of(r.text)
    assert session_files(client) == []
    assert not list(Path("/").glob("x.md")) and not (client.app.state.web.store.root.parent / "x.md").exists()  # type: ignore[attr-defined]


def test_a_zip_bomb_is_stopped_at_the_limit(tmp_path, shared_index):
    with make_client(tmp_path, shared_index, web_upload_mb=1, web_batch_mb=2) as c:
        c.get("/batch")
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("大.txt", b"0" * (3 << 20))
        r = c.post("/batch", files=[("reports", ("bomb.zip", bomb.getvalue()))])
        assert r.status_code == 413 and "上限" in error_of(r.text)
        assert session_files(c) == []


# --------------------------------------------------------------------------- batch


def test_batch_of_files_and_a_zip_gives_a_sortable_table_linking_to_each_check(client, tmp_path):
    prev = clean_report_text(year=2023)
    zipped = _zip({"各单位/2023年报.md": prev.encode(), "各单位/说明.doc": b"x"})
    r = client.post(
        "/batch",
        files=[("reports", ("2024年报.md", planted_report())), ("reports", ("各单位.zip", zipped))],
        follow_redirects=False,
    )
    url = r.headers["location"]
    assert wait(client, url)["state"] == "done"
    page = client.get(url).text
    assert 'class="list sortable"' in page and "说明.doc" in page  # skipped file listed
    links = [a.replace("&amp;", "&") for a in re.findall(r'href="(/check/[^"]+\?from=[^"]+)"', page)]
    assert len(links) == 2 and "2024年报.md" in page and "各单位.zip/各单位/2023年报.md" in page
    detail = client.get(links[0]).text
    assert "sev-error" in cell_classes(detail, "表三:new:total") and "返回批量检查结果" in detail
    xlsx = tmp_path / "s.xlsx"
    xlsx.write_bytes(client.get(url + "/summary.xlsx").content)
    wb = openpyxl.load_workbook(xlsx)
    rows = list(wb["汇总"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["2024年报.md", "各单位.zip/各单位/2023年报.md"]
    assert "已与2023年度报告核对" in rows[0][9]
    assert client.get(url + "/summary.html").status_code == 200
    assert client.get(url + "/summary.pdf").status_code == 404


# --------------------------------------------------------------------------- draft


def _draft(c: TestClient, **extra: tuple[str, bytes]) -> str:
    files = {
        "notes": ("要点.md", (EXAMPLES / "notes-2024.md").read_bytes()),
        "figures": ("数据.yaml", (EXAMPLES / "figures-2024.yaml").read_bytes()),
        **extra,
    }
    r = c.post("/draft", files=files, follow_redirects=False)
    assert r.status_code == 303, error_of(r.text)
    return r.headers["location"]


def test_draft_from_the_example_then_edit_a_paragraph_and_check_again(client):
    url = _draft(client, previous=("2023.md", (EXAMPLES / "report-2023.md").read_bytes()))
    assert wait(client, url)["state"] == "done"
    page = client.get(url).text
    headings = re.findall(r"<h2>([一二三四五六]、[^<]+)</h2>", page)
    assert headings == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert page.count('<table class="gov"') == 3 and "依据（要点" in page and "逐句依据" in page
    docx = client.get(url + "/files/draft.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert json.loads(client.get(url + "/files/draft.check.json").content)["summary"]["error"] == 0
    assert client.get(url + "/files/notes.md").status_code == 404
    name, text = re.search(
        r'<textarea name="(p-overview-\d+)"[^>]*>([^<]*收到政府信息公开申请\d+件[^<]*)<', page
    ).groups()
    edited = re.sub(r"收到政府信息公开申请\d+件", "收到政府信息公开申请99件", text)
    page = client.post(url + "/recheck", data={name: edited}).text
    assert "99件" in page and "NARRATIVE-TABLE" in page and "已修改" in page
    assert "99件" in client.get(url + "/files/draft.md").text


def test_draft_from_the_part_form(client):
    r = client.post(
        "/draft",
        data={
            "agency": "示例县民族宗教事务局",
            "year": "2024",
            "part-proactive": "门户网站发布信息 218 条",
            "part-other": "无",
        },
        files={"figures": ("数据.yaml", (EXAMPLES / "figures-2024.yaml").read_bytes())},
        follow_redirects=False,
    )
    url = r.headers["location"]
    assert wait(client, url)["state"] == "done"
    assert "218条" in client.get(url + "/files/draft.md").text


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({"notes": ("要点.md", b"- x")}, "请上传统计数据"),
        ({"figures": ("数据.yaml", b"a: 1")}, "请上传要点"),
        ({"notes": ("要点.docx", b"PK"), "figures": ("数据.yaml", b"a: 1")}, "不支持"),
        ({"notes": ("要点.md", b"- x"), "figures": ("数据.csv", b"a,b")}, "不支持"),
    ],
)
def test_a_bad_draft_upload_gets_a_clear_message_and_leaves_nothing(client, files, words):
    r = client.post("/draft", files=files)
    assert r.status_code == 400 and words in error_of(r.text), error_of(r.text)
    assert session_files(client) == []


def test_figures_that_do_not_balance_are_listed_and_nothing_is_left(client):
    bad = (EXAMPLES / "figures-2024.yaml").read_text(encoding="utf-8")
    bad = re.sub(r"(予以公开[^\n]*?)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + 5), bad, count=1)
    url = _draft(client, figures=("数据.yaml", bad.encode()))
    status = wait(client, url)
    assert status["state"] == "failed" and "数据.yaml" in status["error"] and "表三" in status["error"]
    assert "表三" in error_of(client.get(url).text)
    assert session_files(client) == []


# --------------------------------------------------------------------------- ask


def test_ask_answers_with_citations_that_open_the_article(client):
    r = client.get("/ask", params={"q": "行政机关不能当场答复的，多少个工作日内答复？"})
    assert r.status_code == 200
    assert re.search(
        r'<button type="button" class="cite" data-dialog="passage-0">\[条例 第三十三条\]</button>', r.text
    )
    dialog = re.search(r'<dialog id="passage-0".*?</dialog>', r.text, re.S).group(0)
    assert "第三十三条" in dialog and "<mark>" in dialog and "20个工作日" in dialog


def test_ask_refuses_honestly_and_rejects_a_too_long_question(client):
    r = client.get("/ask", params={"q": "食堂明天中午吃什么菜？"})
    assert r.status_code == 200 and "未找到依据" in r.text
    r = client.get("/ask", params={"q": "问" * 600})
    assert r.status_code == 400 and "太长" in error_of(r.text)


# --------------------------------------------------------------------------- password, clean-up, serve


def test_with_a_password_every_page_asks_for_it(tmp_path, shared_index):
    with make_client(tmp_path, shared_index, password="s3cret-口令") as c:
        for path in ("/draft", "/check", "/batch", "/ask?q=x", "/check/abc/export.json"):
            r = c.get(path, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
        assert c.post("/check", files={"report": ("a.md", b"x")}, follow_redirects=False).status_code == 303
        assert session_files_or_none(c) is None  # nothing stored before the password
        r = c.post("/login", data={"password": "wrong", "next": "/check"})
        assert r.status_code == 401 and "密码不正确" in r.text
        r = c.post(
            "/login", data={"password": "s3cret-口令", "next": "//evil.example/"}, follow_redirects=False
        )
        assert r.headers["location"] == "/"
        r = c.post("/login", data={"password": "s3cret-口令", "next": "/check"})
        assert r.status_code == 200 and "检查一份年度报告" in r.text


def session_files_or_none(c: TestClient) -> list[Path] | None:
    return session_files(c) if "ra_session" in c.cookies else None


def test_idle_sessions_are_deleted_with_their_files(client):
    client.post("/check", files={"report": ("a.md", clean_report_text().encode())})
    assert session_files(client)
    store = client.app.state.web.store  # type: ignore[attr-defined]
    assert store.sweep(now=time.time() + 10) == 0
    assert store.sweep(now=time.time() + store.keep_seconds + 1) == 1
    assert not (store.root / client.cookies["ra_session"]).exists()
    assert client.get("/check/anything").status_code == 404


def test_the_server_folder_is_removed_when_the_app_stops(tmp_path, shared_index):
    with make_client(tmp_path, shared_index) as c:
        c.post("/check", files={"report": ("a.md", clean_report_text().encode())})
        root = c.app.state.web.store.root  # type: ignore[attr-defined]
        assert root.exists()
    assert not root.exists()


def test_serve_beyond_this_computer_requires_a_password(monkeypatch):
    monkeypatch.delenv("REPORT_AGENT_WEB_PASSWORD", raising=False)
    r = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "必须设置访问密码" in r.output


def test_zip_member_names_from_chinese_windows_are_read_as_gbk(tmp_path):
    from agent.web.uploads import StoredFile, expand_zip

    class GbkInfo(zipfile.ZipInfo):  # what a zip tool on Chinese Windows writes: GBK bytes, no UTF-8 flag
        def _encodeFilenameFlags(self):  # noqa: N802
            return self.filename.encode("gbk"), self.flag_bits

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(GbkInfo("某局2024年报.md"), clean_report_text())
    assert zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist() != [
        "某局2024年报.md"
    ]  # read as cp437 by default
    archive = tmp_path / "a.zip"
    archive.write_bytes(buf.getvalue())
    found, skipped = expand_zip(
        StoredFile("reports", "各单位.zip", archive),
        tmp_path,
        allowed=(".md",),
        per_file=1 << 20,
        total=1 << 20,
        max_files=5,
    )
    assert [f.name for f in found] == ["各单位.zip/某局2024年报.md"] and skipped == []
    assert (
        found[0].path.parent == tmp_path
        and found[0].path.suffix == ".md"
        and "某局" not in found[0].path.name
    )
    assert not archive.exists()


def test_a_hostile_file_name_is_shown_as_text(client):
    name = '<img src=x onerror="alert(1)">.md'
    r = client.post("/check", files={"report": (name, clean_report_text().encode())})
    assert r.status_code == 200 and "<img src=x" not in r.text and "&lt;img src=x" in r.text
    assert all("<" not in p.name for p in session_files(client))


def test_the_pages_use_the_configured_llm_like_the_cli(llm_server, tmp_path, shared_index):
    """Same settings as the command line: with a model configured, drafting calls it over HTTP."""
    from llm_server import Reply

    llm_server.handler = lambda req: Reply.text("一是认真做好相关工作；二是持续提升公开质量。")
    settings = load_settings(
        base_url=llm_server.base_url, model="test-model", index_path=shared_index, llm_max_retries=0
    )
    with TestClient(create_app(settings, root=tmp_path / "web")) as c:
        assert "已配置大模型（test-model）" in c.get("/draft").text
        url = _draft(c)
        assert wait(c, url)["state"] == "done"
        assert "大模型起草" in c.get(url).text and llm_server.count() > 0


def test_the_draft_page_shows_each_part_the_model_drafts(llm_server, tmp_path, shared_index):
    from llm_server import Reply

    llm_server.handler = lambda req: Reply.text("一是认真做好相关工作；二是持续提升公开质量。", latency=0.3)
    settings = load_settings(
        base_url=llm_server.base_url, model="test-model", index_path=shared_index, llm_max_retries=0
    )
    with TestClient(create_app(settings, root=tmp_path / "web")) as c:
        url = _draft(c)
        seen = []
        for _ in range(300):
            status = c.get(url + "/status").json()
            seen += [p["state"] for p in status["parts"]]
            if status["state"] != "running":
                break
            time.sleep(0.05)
        titles = [p["title"] for p in status["parts"]]
        assert "主动公开情况" in titles and len(titles) == status["total"]
        assert all(p["state"] in ("done", "offline") and p["label"] for p in status["parts"])
        assert "drafting" in seen or "waiting" in seen  # seen while it ran
