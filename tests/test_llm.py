"""agent.llm against the local scripted server, over real HTTP through openai/langchain-openai."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import openai
import pytest
from llm_server import CHAT_PATH, EMBEDDINGS_PATH, FakeLLMServer, RecordedRequest, Reply, hash_embedding

from agent.llm import (
    PLACEHOLDER_KEY,
    LLMClient,
    LLMError,
    LLMReply,
    RetryPolicy,
    UsageMeter,
    clean_reply,
    estimate_prompt_tokens,
    parse_retry_after,
    strip_thinking,
)
from agent.settings import Settings, load_settings
from agent.tokens import count_tokens

FAST = RetryPolicy(backoff_base=0.01, backoff_max=0.05, retry_after_cap=5.0)
SECRET = "sk-test-DO-NOT-LEAK-4f9c2b7e1a"
MSGS = [
    {"role": "system", "content": "你是政府信息公开年报的起草助手。"},
    {"role": "user", "content": "请写概述。"},
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No ambient OPENAI_*/REPORT_AGENT_* settings; home and config file in tmp_path."""
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "REPORT_AGENT_", "LANGSMITH_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REPORT_AGENT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REPORT_AGENT_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path


def make_settings(server: FakeLLMServer, **cli: Any) -> Settings:
    opts: dict[str, Any] = {
        "base_url": server.base_url,
        "model": "test-model",
        "llm_timeout": 2.0,
        "llm_max_retries": 2,
        "temperature": 0.3,
    }
    opts.update(cli)
    return load_settings(**opts)


def make_client(server: FakeLLMServer, *, retry: RetryPolicy = FAST, **cli: Any) -> LLMClient:
    return LLMClient(make_settings(server, **cli), retry=retry)


# ---- round trip and cleaning -------------------------------------------------------------------
def test_round_trip_sends_messages_and_returns_text(llm_server: FakeLLMServer) -> None:
    llm_server.queue("本年度，我单位认真贯彻落实《条例》。")
    reply = make_client(llm_server).complete(MSGS, purpose="概述")
    assert reply.text == "本年度，我单位认真贯彻落实《条例》。"
    assert reply.cached is False and reply.model == "test-model"
    [req] = llm_server.requests_to(CHAT_PATH)
    assert req.body["model"] == "test-model"
    assert req.body["messages"] == MSGS
    assert req.body.get("stream") in (False, None)
    assert req.body["temperature"] == pytest.approx(0.3)
    assert req.authorization == f"Bearer {PLACEHOLDER_KEY}"  # no key configured


def test_langchain_messages_are_accepted(llm_server: FakeLLMServer) -> None:
    from langchain_core.messages import HumanMessage, SystemMessage

    llm_server.on("概述", "好的")
    reply = make_client(llm_server).complete([SystemMessage("系统"), HumanMessage("请写概述")])
    assert reply.text == "好的"
    assert llm_server.requests_to()[0].messages == [
        {"role": "system", "content": "系统"},
        {"role": "user", "content": "请写概述"},
    ]


def test_think_block_and_reasoning_content_are_stripped(llm_server: FakeLLMServer) -> None:
    llm_server.queue(
        Reply.thinking("正文一", thought="内部推理"), Reply.reasoning("正文二", reasoning="深度思考内容")
    )
    client = make_client(llm_server, cache=False)
    assert client.complete(MSGS).text == "正文一"
    second = client.complete(MSGS)
    assert second.text == "正文二"
    assert "深度思考" not in second.text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<think>a\nb</think>\n\n答案", "答案"),
        ("<THINK>x</THINK>答<think>y</think>案", "答案"),
        ("推理被模板吞掉了开头</think>\n答案", "答案"),
        ("<think>没有结束的推理……", ""),
        ("答案\n<think>后面被截断", "答案"),
        ("  普通文本  ", "普通文本"),
    ],
)
def test_strip_thinking(raw: str, expected: str) -> None:
    assert strip_thinking(raw) == expected


def test_code_fences_stripped_only_for_plain_text(llm_server: FakeLLMServer) -> None:
    fenced = "```markdown\n一、总体情况\n\n本年度……\n```"
    assert clean_reply(fenced, plain_text=True) == "一、总体情况\n\n本年度……"
    assert clean_reply(fenced) == fenced
    llm_server.queue(fenced)
    client = make_client(llm_server)
    assert client.complete(MSGS, plain_text=True).text == "一、总体情况\n\n本年度……"
    assert client.complete(MSGS).text == fenced  # from the cache, which keeps the fences
    assert llm_server.count() == 1


# ---- retries -----------------------------------------------------------------------------------
def test_429_then_success_honours_retry_after(llm_server: FakeLLMServer) -> None:
    llm_server.queue(Reply.error(429, retry_after=0.4), "成功")
    meter = UsageMeter()
    client = LLMClient(make_settings(llm_server), retry=FAST, meter=meter)
    start = time.monotonic()
    assert client.complete(MSGS).text == "成功"
    assert time.monotonic() - start >= 0.4  # waited as told, not the 0.01 s backoff
    assert llm_server.count() == 2
    assert meter.snapshot().retries == 1


def test_retry_after_is_capped(llm_server: FakeLLMServer) -> None:
    llm_server.queue(Reply.error(429, retry_after=120), "成功")
    client = make_client(
        llm_server, retry=RetryPolicy(backoff_base=0.01, backoff_max=0.05, retry_after_cap=0.2)
    )
    start = time.monotonic()
    assert client.complete(MSGS).text == "成功"
    assert time.monotonic() - start < 2.0


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_then_success(llm_server: FakeLLMServer, status: int) -> None:
    llm_server.queue(Reply.error(status), "恢复了")
    assert make_client(llm_server).complete(MSGS).text == "恢复了"
    assert llm_server.count() == 2


def test_persistent_500_raises_after_bounded_attempts(llm_server: FakeLLMServer) -> None:
    llm_server.default_reply = Reply.error(500)
    client = make_client(llm_server, llm_max_retries=2)
    with pytest.raises(LLMError) as info:
        client.complete(MSGS)
    assert llm_server.count() == 3  # 1 + 2 retries
    err = info.value
    assert err.status == 500 and err.attempts == 3
    assert f"127.0.0.1:{llm_server.port}" in str(err)
    assert "HTTP 500" in str(err)
    assert client.meter.snapshot().failures == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_non_retryable_4xx_raise_at_once(llm_server: FakeLLMServer, status: int) -> None:
    llm_server.default_reply = Reply.error(status, message="bad things")
    with pytest.raises(LLMError) as info:
        make_client(llm_server, llm_max_retries=4).complete(MSGS)
    assert llm_server.count() == 1
    assert info.value.status == status
    assert f"HTTP {status}" in str(info.value)


def test_timeout_is_retried_then_llm_error(llm_server: FakeLLMServer) -> None:
    llm_server.default_reply = Reply.hanging(10.0)  # ended by the fixture's stop()
    client = make_client(llm_server, llm_timeout=0.3, llm_max_retries=1)
    start = time.monotonic()
    with pytest.raises(LLMError) as info:
        client.complete(MSGS)
    elapsed = time.monotonic() - start
    assert llm_server.count() == 2
    assert "超时" in str(info.value)
    assert 0.6 <= elapsed < 3.0


def test_timeout_then_success(llm_server: FakeLLMServer) -> None:
    llm_server.queue(Reply.hanging(10.0), "第二次就好了")
    client = make_client(llm_server, llm_timeout=0.3, llm_max_retries=1)
    assert client.complete(MSGS).text == "第二次就好了"


def test_connection_refused_is_llm_error() -> None:
    with FakeLLMServer() as server:
        settings = make_settings(server, llm_max_retries=1)
    client = LLMClient(settings, retry=FAST)  # the server is gone: nothing listens on that port
    with pytest.raises(LLMError, match="无法连接"):
        client.complete(MSGS)


@pytest.mark.parametrize("kind", ["truncated", "html", "no_choices", "null_choices"])
def test_malformed_body_is_retried_once_then_llm_error(llm_server: FakeLLMServer, kind: str) -> None:
    llm_server.default_reply = Reply.broken(kind)
    with pytest.raises(LLMError, match="格式错误"):
        make_client(llm_server, llm_max_retries=4).complete(MSGS)
    assert llm_server.count() == 2


def test_malformed_then_good_reply(llm_server: FakeLLMServer) -> None:
    llm_server.queue(Reply.broken("truncated"), "正常")
    assert make_client(llm_server).complete(MSGS).text == "正常"


@pytest.mark.parametrize(
    "reply", [Reply.empty(), Reply(content="  \n "), Reply(content="<think>只有推理</think>")]
)
def test_empty_reply_is_retried_once_then_llm_error(llm_server: FakeLLMServer, reply: Reply) -> None:
    llm_server.default_reply = reply
    with pytest.raises(LLMError, match="为空"):
        make_client(llm_server, llm_max_retries=4).complete(MSGS)
    assert llm_server.count() == 2


# ---- token accounting ----------------------------------------------------------------------------
def test_usage_from_server(llm_server: FakeLLMServer) -> None:
    llm_server.queue(Reply(content="好", usage={"prompt_tokens": 17, "completion_tokens": 5}))
    client = make_client(llm_server)
    reply = client.complete(MSGS)
    assert (reply.prompt_tokens, reply.completion_tokens, reply.usage_estimated) == (17, 5, False)
    snap = client.meter.snapshot()
    assert (snap.calls, snap.prompt_tokens, snap.completion_tokens) == (1, 17, 5)


def test_usage_estimated_with_tiktoken_when_missing(llm_server: FakeLLMServer) -> None:
    llm_server.queue(Reply(content="<think>想</think>依法公开政府信息。", usage=False))
    client = make_client(llm_server)
    reply = client.complete(MSGS)
    assert reply.usage_estimated is True
    assert reply.completion_tokens == count_tokens(
        "<think>想</think>依法公开政府信息。"
    )  # billed incl. thinking
    assert reply.prompt_tokens == estimate_prompt_tokens(MSGS)
    assert reply.prompt_tokens > count_tokens(MSGS[0]["content"]) + count_tokens(MSGS[1]["content"])
    assert "本地估算" in client.meter.summary()


def test_usage_meter_is_thread_safe() -> None:
    meter = UsageMeter()

    def work() -> None:
        for _ in range(500):
            meter.record_call(2, 3)
            meter.record_cache_hit()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    snap = meter.snapshot()
    assert (snap.calls, snap.prompt_tokens, snap.completion_tokens, snap.cache_hits) == (
        4000,
        8000,
        12000,
        4000,
    )
    assert meter.summary().startswith("大模型调用 4000 次")


# ---- cache -----------------------------------------------------------------------------------
def test_cache_hit_makes_no_request(llm_server: FakeLLMServer) -> None:
    llm_server.queue(Reply(content="缓存的回答", usage={"prompt_tokens": 9, "completion_tokens": 4}))
    client = make_client(llm_server)
    first = client.complete(MSGS)
    again = LLMClient(make_settings(llm_server), retry=FAST).complete(MSGS)  # a new client, same disk cache
    assert llm_server.count() == 1
    assert again == LLMReply("缓存的回答", 9, 4, True, first.model)
    files = list((client.settings.cache_dir / "llm").rglob("*.json"))
    assert len(files) == 1 and not [p for p in files[0].parent.iterdir() if p.name.endswith(".tmp")]


def test_cache_key_depends_on_messages_model_and_temperature(llm_server: FakeLLMServer) -> None:
    make_client(llm_server).complete(MSGS)
    make_client(llm_server).complete([*MSGS[:1], {"role": "user", "content": "另一个问题"}])
    make_client(llm_server, temperature=0.9).complete(MSGS)
    make_client(llm_server, model="other-model").complete(MSGS)
    assert llm_server.count() == 4


def test_no_cache_reads_and_writes_nothing(llm_server: FakeLLMServer) -> None:
    make_client(llm_server).complete(MSGS)  # fills the cache
    client = make_client(llm_server, cache=False)
    assert client.complete(MSGS).cached is False
    assert llm_server.count() == 2
    fresh = make_client(llm_server, cache=False)
    fresh.complete([{"role": "user", "content": "不缓存"}])
    assert llm_server.count() == 3
    assert len(list((fresh.settings.cache_dir / "llm").rglob("*.json"))) == 1  # only the first call's


def test_failures_are_not_cached(llm_server: FakeLLMServer) -> None:
    llm_server.queue(Reply.error(400))
    with pytest.raises(LLMError):
        make_client(llm_server).complete(MSGS)
    assert make_client(llm_server).complete(MSGS).cached is False
    assert llm_server.count() == 2


# ---- concurrency -------------------------------------------------------------------------------
def test_complete_many_runs_in_parallel(llm_server: FakeLLMServer) -> None:
    latency = 0.5
    llm_server.default_latency = latency
    llm_server.handler = lambda req: f"回答：{req.last_user_message}"
    client = make_client(llm_server, llm_concurrency=6)
    jobs = [(f"s{i}", [{"role": "user", "content": f"第{i}节"}]) for i in range(6)]
    start = time.monotonic()
    results = client.complete_many(jobs)
    elapsed = time.monotonic() - start
    assert elapsed < 2 * latency, f"6 calls took {elapsed:.2f}s; expected about one call's {latency}s"
    assert llm_server.count() == 6
    for i in range(6):
        result = results[f"s{i}"]
        assert isinstance(result, LLMReply) and result.text == f"回答：第{i}节"


def test_complete_many_respects_concurrency_limit(llm_server: FakeLLMServer) -> None:
    llm_server.default_latency = 0.2
    jobs = [(i, [{"role": "user", "content": f"任务{i}"}]) for i in range(4)]
    start = time.monotonic()
    make_client(llm_server).complete_many(jobs, concurrency=1)
    assert time.monotonic() - start >= 4 * 0.2


def test_one_failing_job_does_not_cancel_others(llm_server: FakeLLMServer) -> None:
    llm_server.default_latency = 0.1
    llm_server.on("坏", Reply.error(401))
    llm_server.on("慢坏", Reply.error(503))
    jobs = [
        ("ok1", [{"role": "user", "content": "好的一节"}]),
        ("bad", [{"role": "user", "content": "坏的一节"}]),
        ("ok2", [{"role": "user", "content": "另一节"}]),
        ("flaky", [{"role": "user", "content": "慢坏"}]),
    ]
    results = make_client(llm_server, llm_max_retries=1).complete_many(jobs, concurrency=4)
    assert isinstance(results["ok1"], LLMReply) and isinstance(results["ok2"], LLMReply)
    assert isinstance(results["bad"], LLMError) and results["bad"].status == 401
    assert isinstance(results["flaky"], LLMError)
    assert list(results) == ["ok1", "bad", "ok2", "flaky"]


# ---- key binding and secrecy ---------------------------------------------------------------------
def _write_config(path: Path, **values: str) -> None:
    path.write_text("".join(f'{k} = "{v}"\n' for k, v in values.items()), encoding="utf-8")


def _settings_from_layers() -> Settings:
    return load_settings(llm_timeout=2.0, llm_max_retries=0)


def test_env_key_not_sent_to_base_url_from_config_file(
    llm_server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    _write_config(clean_env / "config.toml", base_url=llm_server.base_url, model="test-model")
    LLMClient(_settings_from_layers(), retry=FAST).complete(MSGS)
    [auth] = llm_server.authorizations()
    assert auth == f"Bearer {PLACEHOLDER_KEY}"
    assert SECRET not in str(llm_server.requests_to()[0].headers)


def test_env_key_not_sent_to_base_url_from_cli(
    llm_server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    LLMClient(load_settings(base_url=llm_server.base_url, model="test-model"), retry=FAST).complete(MSGS)
    assert llm_server.authorizations() == [f"Bearer {PLACEHOLDER_KEY}"]


def test_env_key_sent_to_env_base_url(llm_server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", llm_server.base_url)
    monkeypatch.setenv("REPORT_AGENT_MODEL", "test-model")
    LLMClient(_settings_from_layers(), retry=FAST).complete(MSGS)
    assert llm_server.authorizations() == [f"Bearer {SECRET}"]


def test_config_key_sent_to_config_base_url(llm_server: FakeLLMServer, clean_env: Path) -> None:
    _write_config(clean_env / "config.toml", base_url=llm_server.base_url, model="test-model", api_key=SECRET)
    LLMClient(_settings_from_layers(), retry=FAST).complete(MSGS)
    assert llm_server.authorizations() == [f"Bearer {SECRET}"]


def test_key_never_appears_in_logs_output_or_errors(
    llm_server: FakeLLMServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", llm_server.base_url)
    monkeypatch.setenv("REPORT_AGENT_MODEL", "test-model")
    caplog.set_level(logging.DEBUG)

    def echo_key(req: RecordedRequest) -> Reply:  # a hostile server that echoes the credential
        return Reply.error(401, message=f"Incorrect API key provided: {req.authorization}")

    llm_server.queue(Reply.error(500), "好的")
    client = LLMClient(load_settings(llm_max_retries=2), retry=FAST)
    client.complete(MSGS)
    llm_server.handler = echo_key
    with pytest.raises(LLMError) as info:
        client.complete([{"role": "user", "content": "再来一次"}])
    print(info.value)  # what a CLI would show: must be captured clean too
    assert llm_server.authorizations()[-1] == f"Bearer {SECRET}"  # the key was really in play
    out, err = capfd.readouterr()
    loggers = {r.name.split(".")[0] for r in caplog.records}
    assert {"agent", "openai"} <= loggers, loggers  # the retry log and the openai client's debug log
    for text in (str(info.value), repr(info.value), caplog.text, out, err, client.meter.summary()):
        assert SECRET not in text


def test_offline_or_unconfigured_client_refuses(llm_server: FakeLLMServer) -> None:
    with pytest.raises(LLMError, match="离线"):
        LLMClient(make_settings(llm_server, offline=True))
    with pytest.raises(LLMError, match="model"):
        LLMClient(load_settings(base_url=llm_server.base_url))
    assert llm_server.count() == 0


# ---- the test server itself ----------------------------------------------------------------------
def test_server_embeddings_models_and_stream_refusal(llm_server: FakeLLMServer) -> None:
    raw = openai.OpenAI(base_url=llm_server.base_url, api_key="EMPTY", max_retries=0, timeout=2.0)
    res = raw.embeddings.create(
        model="emb", input=["政府信息公开", "政府信息公开工作", "天气晴朗"]
    )  # base64 on the wire
    vecs = [d.embedding for d in res.data]
    assert [len(v) for v in vecs] == [64, 64, 64]
    assert vecs[0] == pytest.approx(hash_embedding("政府信息公开"), abs=1e-6)
    sim = [sum(a * b for a, b in zip(vecs[0], v, strict=True)) for v in vecs[1:]]
    assert sim[0] > sim[1]  # shared characters → closer
    plain = raw.embeddings.create(model="emb", input="x", encoding_format="float", dimensions=8)
    assert len(plain.data[0].embedding) == 8
    assert llm_server.requests_to(EMBEDDINGS_PATH)[0].body["input"][0] == "政府信息公开"
    assert [m.id for m in raw.models.list()] == ["test-model"]
    with pytest.raises(openai.BadRequestError):
        raw.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], stream=True)


def test_server_stop_ends_a_hang_quickly() -> None:
    server = FakeLLMServer(default_reply=Reply.hanging(30.0)).start()
    raw = openai.OpenAI(base_url=server.base_url, api_key="EMPTY", max_retries=0, timeout=0.2)
    with pytest.raises(openai.APITimeoutError):
        raw.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 1.0
