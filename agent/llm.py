"""LLM plumbing: one OpenAI-compatible chat client with retries, cleaning, accounting and a cache.

``LLMClient(settings).complete(messages)`` returns an :class:`LLMReply` or raises
:class:`LLMError` (a Chinese message naming the endpoint host and the cause, never the key);
the drafter catches it and composes that section offline. ``complete_many`` runs several
requests at once in a thread pool; one failure never cancels the others.

* Transport: langchain-openai ``ChatOpenAI`` (Chat Completions, ``stream: false``) with the
  openai client's own retries off; base URL and key come from :func:`llm_credentials`, so a
  key is only sent to the base URL it was configured for (otherwise the placeholder
  ``EMPTY`` is sent, which vLLM/Ollama accept).
* Retries (tenacity): 429 (``Retry-After`` honoured up to a cap), 408/409/425, 5xx, timeouts
  and connection errors, with exponential backoff and jitter, at most
  ``settings.llm_max_retries`` retries. Other 4xx fail at once. A malformed body or a reply
  that is empty after cleaning is retried once.
* Cleaning: ``<think>…</think>`` blocks (and a dangling ``<think>``/``</think>``) are removed;
  ``reasoning_content`` is never used; ``plain_text=True`` also removes Markdown code fences.
* Accounting: the server's ``usage`` when present, otherwise tiktoken (agent.tokens);
  totals in a thread-safe :class:`UsageMeter`.
* Cache: ``<cache_dir>/llm/<sha256>.json`` keyed on model, endpoint host, temperature and
  messages; written atomically; ``settings.cache=False`` neither reads nor writes it.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import random
import re
import threading
import time
from collections.abc import Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import openai
from langchain_core.messages import AIMessage, BaseMessage, convert_to_messages, convert_to_openai_messages
from langchain_openai import ChatOpenAI
from pydantic import SecretStr
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from agent.fsutil import write_text
from agent.settings import Settings, llm_credentials
from agent.tokens import count_tokens

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
PLACEHOLDER_KEY = "EMPTY"
CACHE_VERSION = 1
RETRYABLE_STATUS = frozenset({408, 409, 425, 429})

Messages = Sequence[dict[str, Any]] | Sequence[BaseMessage]
K = TypeVar("K", bound=Hashable)


# ---- public value types --------------------------------------------------------------------
class LLMError(Exception):
    """The LLM could not produce a usable reply. The message is Chinese, names the host, never the key."""

    def __init__(self, message: str, *, host: str = "", status: int | None = None, attempts: int = 0) -> None:
        self.message = message
        self.host = host
        self.status = status
        self.attempts = attempts
        super().__init__(message)


@dataclass(frozen=True)
class LLMReply:
    text: str
    prompt_tokens: int
    completion_tokens: int
    cached: bool
    model: str
    usage_estimated: bool = False  # True when the counts come from tiktoken, not the server


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff knobs (seconds). The number of retries is ``settings.llm_max_retries``."""

    backoff_base: float = 1.0
    backoff_max: float = 20.0
    retry_after_cap: float = 30.0
    bad_reply_attempts: int = 2  # malformed or empty replies: tried at most this many times


@dataclass(frozen=True)
class UsageSnapshot:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    retries: int = 0
    failures: int = 0
    estimated_calls: int = 0


class UsageMeter:
    """Thread-safe totals over every call made through the clients that share it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals: dict[str, int] = asdict(UsageSnapshot())

    def _add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                self._totals[name] += value

    def record_call(self, prompt_tokens: int, completion_tokens: int, *, estimated: bool = False) -> None:
        self._add(
            calls=1,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            estimated_calls=int(estimated),
        )

    def record_cache_hit(self) -> None:
        self._add(cache_hits=1)

    def record_retry(self) -> None:
        self._add(retries=1)

    def record_failure(self) -> None:
        self._add(failures=1)

    def snapshot(self) -> UsageSnapshot:
        with self._lock:
            return UsageSnapshot(**self._totals)

    def summary(self) -> str:
        s = self.snapshot()
        text = (
            f"大模型调用 {s.calls} 次（缓存命中 {s.cache_hits} 次，重试 {s.retries} 次，失败 {s.failures} 次）；"
            f"输入 {s.prompt_tokens:,} tokens，输出 {s.completion_tokens:,} tokens"
        )
        return text + (f"（其中 {s.estimated_calls} 次为本地估算）" if s.estimated_calls else "")


# ---- cleaning --------------------------------------------------------------------------------
_THINK_BLOCK = re.compile(r"<(think|thinking)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</(?:think|thinking)>", re.IGNORECASE)
_THINK_OPEN = re.compile(r"<(?:think|thinking)>", re.IGNORECASE)
_FENCE_LINE = re.compile(r"^[ \t]*(```|~~~)[\w+.-]*[ \t]*$", re.MULTILINE)


def strip_thinking(text: str) -> str:
    """Remove reasoning: closed ``<think>`` blocks, text before a stray ``</think>``, an unclosed ``<think>`` tail."""
    text = _THINK_BLOCK.sub("", text)
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:  # the opening tag was in the prompt template (Qwen3 / DeepSeek-R1 style)
        text = text[closes[-1].end() :]
    opened = _THINK_OPEN.search(text)
    if opened:  # reasoning cut off before it closed
        text = text[: opened.start()]
    return text.strip()


def strip_code_fences(text: str) -> str:
    """Drop Markdown fence lines (```lang / ```), keeping what they enclosed."""
    return re.sub(r"\n{3,}", "\n\n", _FENCE_LINE.sub("", text)).strip()


def clean_reply(text: str, *, plain_text: bool = False) -> str:
    text = strip_thinking(text)
    return strip_code_fences(text) if plain_text else text


def estimate_prompt_tokens(messages: list[dict[str, Any]]) -> int:
    """tiktoken estimate in the OpenAI chat format: 3 tokens per message + role + content, +3 priming."""
    total = 3
    for msg in messages:
        total += 3 + count_tokens(str(msg.get("role", ""))) + count_tokens(_content_text(msg.get("content")))
    return total


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return "" if content is None else str(content)


# ---- internal error classes (never leave this module) -----------------------------------------
class _BadReply(Exception):
    """Malformed body or empty reply after cleaning."""


class _Fatal(Exception):
    def __init__(self, cause: str, status: int | None = None) -> None:
        self.cause, self.status = cause, status
        super().__init__(cause)


class _Transient(Exception):
    def __init__(self, cause: str, status: int | None = None, retry_after: float | None = None) -> None:
        self.cause, self.status, self.retry_after = cause, status, retry_after
        super().__init__(cause)


def parse_retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date); None if absent/invalid."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    try:
        if millis is not None:
            return max(0.0, float(millis) / 1000.0)
    except ValueError:
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _status_cause(status: int) -> str:
    known = {
        400: "请求无效",
        401: "认证失败，请检查 API 密钥",
        403: "无权访问该接口或模型",
        404: "接口或模型不存在，请检查 base_url 与 model",
        408: "服务器等待请求超时",
        409: "请求冲突",
        413: "请求内容过长",
        422: "请求参数无法处理",
        429: "请求过于频繁（限流）",
    }
    text = known.get(status) or ("服务器内部错误" if status >= 500 else "请求被拒绝")
    return f"{text}（HTTP {status}）"


def _classify(exc: Exception, timeout: float) -> Exception:
    """Map an exception from the openai/langchain call to _Transient, _Fatal or _BadReply."""
    if isinstance(exc, openai.APITimeoutError):
        return _Transient(f"请求超时（超过 {timeout:g} 秒）")
    if isinstance(exc, openai.APIConnectionError):
        return _Transient("无法连接到服务器")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status in RETRYABLE_STATUS or status >= 500:
            retry_after = parse_retry_after(exc.response.headers) if status == 429 else None
            return _Transient(_status_cause(status), status, retry_after)
        detail = _server_message(exc)
        return _Fatal(_status_cause(status) + (f"：{detail}" if detail else ""), status)
    if isinstance(exc, openai.APIResponseValidationError | ValueError | KeyError | TypeError):
        return _BadReply("返回内容格式错误，无法解析")
    if isinstance(exc, openai.OpenAIError):
        return _Fatal(f"客户端错误（{type(exc).__name__}）")
    return exc


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str):
        return ""
    return message if len(message) <= 200 else message[:200] + "…"


# ---- the client --------------------------------------------------------------------------------
class LLMClient:
    """Chat completions against the configured OpenAI-compatible endpoint."""

    def __init__(
        self,
        settings: Settings,
        *,
        meter: UsageMeter | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if settings.offline:
            raise LLMError("当前为离线模式，不调用大模型")
        if not settings.model:
            raise LLMError("未配置大模型名称（model），无法调用大模型")
        base_url, key = llm_credentials(settings)
        self.settings = settings
        self.model = settings.model
        self.base_url = base_url or DEFAULT_BASE_URL
        self.host = _host(self.base_url)
        self.meter = meter or UsageMeter()
        self.retry = retry or RetryPolicy()
        self._secret = key
        self._chat = ChatOpenAI(
            model=settings.model,
            base_url=self.base_url,  # always explicit: never let OPENAI_API_BASE/OPENAI_BASE_URL redirect the key
            api_key=SecretStr(key or PLACEHOLDER_KEY),
            timeout=settings.llm_timeout,
            temperature=settings.temperature,
            max_retries=0,
            streaming=False,
            use_responses_api=False,
        )

    # -- public API --
    def complete(self, messages: Messages, *, purpose: str = "", plain_text: bool = False) -> LLMReply:
        """One reply, from the cache or the endpoint. Raises LLMError after bounded retries."""
        lc_messages = convert_to_messages(list(messages))
        wire = convert_to_openai_messages(lc_messages)
        key = self.cache_key(wire)
        cached = self._cache_read(key, plain_text)
        if cached is not None:
            log.debug("大模型缓存命中（%s）", purpose or "未命名")
            self.meter.record_cache_hit()
            return cached
        try:
            reply, raw_text = self._call_with_retries(lc_messages, wire, purpose, plain_text)
        except LLMError:
            self.meter.record_failure()
            raise
        self._cache_write(key, reply, raw_text)
        return reply

    def complete_many(
        self,
        jobs: Sequence[tuple[K, Messages]],
        *,
        concurrency: int | None = None,
        plain_text: bool = False,
    ) -> dict[K, LLMReply | LLMError]:
        """Run jobs concurrently; each key maps to its reply or to the LLMError it ended with."""
        if not jobs:
            return {}
        workers = max(1, min(concurrency or self.settings.llm_concurrency, len(jobs)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm") as pool:
            futures = {key: pool.submit(self._job, msgs, str(key), plain_text) for key, msgs in jobs}
            return {key: fut.result() for key, fut in futures.items()}

    def cache_key(self, wire_messages: list[dict[str, Any]]) -> str:
        payload = {
            "v": CACHE_VERSION,
            "model": self.model,
            "host": self.host,
            "temperature": self.settings.temperature,
            "messages": wire_messages,
        }
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    # -- concurrency --
    def _job(self, messages: Messages, purpose: str, plain_text: bool) -> LLMReply | LLMError:
        try:
            return self.complete(messages, purpose=purpose, plain_text=plain_text)
        except LLMError as exc:
            return exc
        except Exception as exc:  # a bug in one job must not lose the others' results
            log.warning("大模型任务 %s 出现意外错误：%s", purpose, type(exc).__name__)
            return self._error(f"意外错误（{type(exc).__name__}）")

    # -- retries --
    def _call_with_retries(
        self, lc_messages: list[BaseMessage], wire: list[dict[str, Any]], purpose: str, plain_text: bool
    ) -> tuple[LLMReply, str]:
        state = {"attempts": 0, "bad": 0}

        def attempt() -> tuple[LLMReply, str]:
            state["attempts"] += 1
            try:
                return self._attempt(lc_messages, wire, plain_text)
            except _BadReply:
                state["bad"] += 1
                raise

        retrying = Retrying(
            retry=retry_if_exception_type((_Transient, _BadReply)),
            stop=lambda rs: self._should_stop(rs, state["bad"]),
            wait=self._wait,
            before_sleep=lambda rs: self._before_sleep(rs, purpose),
            sleep=time.sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except (_Transient, _Fatal, _BadReply) as exc:
            status = getattr(exc, "status", None)
            raise self._error(str(exc), status=status, attempts=state["attempts"]) from None

    def _should_stop(self, rs: RetryCallState, bad_replies: int) -> bool:
        if rs.attempt_number > max(0, self.settings.llm_max_retries):
            return True
        exc = rs.outcome.exception() if rs.outcome else None
        return isinstance(exc, _BadReply) and bad_replies >= self.retry.bad_reply_attempts

    def _wait(self, rs: RetryCallState) -> float:
        exc = rs.outcome.exception() if rs.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return min(exc.retry_after, self.retry.retry_after_cap)
        ceiling = min(self.retry.backoff_max, self.retry.backoff_base * 2 ** (rs.attempt_number - 1))
        return random.uniform(ceiling / 2, ceiling)  # exponential backoff, "equal jitter"

    def _before_sleep(self, rs: RetryCallState, purpose: str) -> None:
        self.meter.record_retry()
        exc = rs.outcome.exception() if rs.outcome else None
        delay = rs.next_action.sleep if rs.next_action else 0.0
        log.info(
            "大模型请求失败（%s，%s：%s），%.2f 秒后第 %d 次重试",
            self.host,
            purpose or "未命名",
            exc,
            delay,
            rs.attempt_number,
        )

    # -- one HTTP attempt --
    def _attempt(
        self, lc_messages: list[BaseMessage], wire: list[dict[str, Any]], plain_text: bool
    ) -> tuple[LLMReply, str]:
        try:
            message = self._chat.invoke(lc_messages)
        except Exception as exc:
            mapped = _classify(exc, self.settings.llm_timeout)
            if mapped is exc:
                raise
            raise mapped from exc
        raw_text = _content_text(message.content)
        text = clean_reply(raw_text, plain_text=plain_text)
        if not text:
            raise _BadReply("返回内容为空（清理思考过程后无正文）")
        reply = self._reply(message, wire, raw_text, text)
        self.meter.record_call(reply.prompt_tokens, reply.completion_tokens, estimated=reply.usage_estimated)
        return reply, strip_thinking(raw_text)

    def _reply(self, message: BaseMessage, wire: list[dict[str, Any]], raw_text: str, text: str) -> LLMReply:
        usage = message.usage_metadata if isinstance(message, AIMessage) else None
        model = str(message.response_metadata.get("model_name") or self.model)
        if usage:
            return LLMReply(
                text, int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0)), False, model
            )
        return LLMReply(
            text, estimate_prompt_tokens(wire), count_tokens(raw_text), False, model, usage_estimated=True
        )

    def _error(self, cause: str, *, status: int | None = None, attempts: int = 0) -> LLMError:
        tries = f"（共尝试 {attempts} 次）" if attempts > 1 else ""
        message = self._redact(f"调用大模型接口失败（{self.host}）：{cause}{tries}")
        return LLMError(message, host=self.host, status=status, attempts=attempts)

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    # -- cache --
    def _cache_path(self, key: str) -> Path:
        return self.settings.cache_dir / "llm" / key[:2] / f"{key}.json"

    def _cache_read(self, key: str, plain_text: bool) -> LLMReply | None:
        if not self.settings.cache:
            return None
        path = self._cache_path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            text = clean_reply(str(data["text"]), plain_text=plain_text)
            reply = LLMReply(
                text,
                int(data["prompt_tokens"]),
                int(data["completion_tokens"]),
                True,
                str(data["model"]),
                bool(data.get("usage_estimated", False)),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            log.debug("忽略损坏的缓存文件 %s", path)
            return None
        return reply if reply.text else None

    def _cache_write(self, key: str, reply: LLMReply, raw_text: str) -> None:
        if not self.settings.cache:
            return
        entry = {
            "version": CACHE_VERSION,
            "text": raw_text,
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "model": reply.model,
            "usage_estimated": reply.usage_estimated,
        }
        try:
            write_text(self._cache_path(key), json.dumps(entry, ensure_ascii=False))
        except OSError as exc:
            log.warning("无法写入大模型缓存：%s", exc.strerror or type(exc).__name__)


def _host(base_url: str) -> str:
    """host[:port] of a URL, without any user:password part."""
    parts = urlsplit(base_url)
    host = parts.hostname or base_url
    return f"{host}:{parts.port}" if parts.port else host
