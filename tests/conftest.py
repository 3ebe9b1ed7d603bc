"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from llm_server import FakeLLMServer, running_server


@pytest.fixture
def llm_server() -> Iterator[FakeLLMServer]:
    """A scripted OpenAI-compatible server on 127.0.0.1:<free port>, stopped at teardown."""
    yield from running_server()
