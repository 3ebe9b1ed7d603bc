"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_server import FakeLLMServer, running_server


@pytest.fixture
def llm_server() -> Iterator[FakeLLMServer]:
    """A scripted OpenAI-compatible server on 127.0.0.1:<free port>, stopped at teardown."""
    yield from running_server()


_ENV_VARS = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "REPORT_AGENT_MODEL",
    "REPORT_AGENT_API_KEY",
    "REPORT_AGENT_BASE_URL",
    "REPORT_AGENT_CONFIG",
    "REPORT_AGENT_CHROMA_URL",
    "REPORT_AGENT_INDEX_PATH",
)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test sees the developer's LLM settings or writes into the real user data dir."""
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REPORT_AGENT_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index of the bundled corpus for the whole session (built on first use)."""
    return tmp_path_factory.mktemp("shared-index")
