"""The web pages obey the same input limits and text cleaning as the command line: notes over the
2 MB limit are refused naming the user's file (never the server's path), and an edited paragraph
with control characters still makes a .docx."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.test_web import EXAMPLES, make_client, wait


@pytest.fixture
def client(tmp_path: Path, shared_index: Path) -> Iterator[TestClient]:
    with make_client(tmp_path, shared_index) as c:
        c.get("/check")
        yield c


def _figures() -> tuple[str, bytes]:
    return ("数据.yaml", (EXAMPLES / "figures-2024.yaml").read_bytes())


def test_notes_over_the_limit_are_refused_with_the_users_file_name(
    client: TestClient, tmp_path: Path
) -> None:
    big = ("- 本年度完成第一项工作，持续推进政务公开。\n" * 60000).encode()  # 3.6 MB
    r = client.post(
        "/draft", files={"notes": ("要点.md", big), "figures": _figures()}, follow_redirects=False
    )
    assert r.status_code == 303
    status = wait(client, r.headers["location"])
    assert status["state"] == "failed"
    assert "“要点.md”" in status["error"] and "太大" in status["error"] and "2 MB" in status["error"]
    assert str(tmp_path) not in status["error"]


def test_an_edit_with_control_characters_still_makes_a_docx(client: TestClient) -> None:
    notes = (EXAMPLES / "notes-2024.md").read_bytes()
    r = client.post(
        "/draft", files={"notes": ("要点.md", notes), "figures": _figures()}, follow_redirects=False
    )
    url = r.headers["location"]
    assert wait(client, url)["state"] == "done"
    name, text = re.search(r'<textarea name="(p-overview-\d+)"[^>]*>([^<]+)<', client.get(url).text).groups()
    page = client.post(url + "/recheck", data={name: text + "又做了\x01一件\x0b事。"})
    assert page.status_code == 200 and "又做了" in page.text
    docx = client.get(url + "/files/draft.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    import io

    import docx as python_docx

    body = "\n".join(p.text for p in python_docx.Document(io.BytesIO(docx.content)).paragraphs)
    assert "又做了一件事。" in body and "\x01" not in body
