"""A scripted, local OpenAI-compatible HTTP server for tests (loopback only).

Endpoints: ``POST /v1/chat/completions`` (``stream: false`` only — a streaming request gets
HTTP 400), ``POST /v1/embeddings`` (deterministic vectors) and ``GET /v1/models``.

How a chat reply is chosen, first match wins:

1. the FIFO queue (``server.queue(...)``), one entry consumed per request;
2. rules (``server.on("substring", reply, times=None)``) matched against the last user message;
3. the handler (``server.handler = fn``), a function of the :class:`RecordedRequest`;
4. ``server.default_reply``.

A reply is a plain string (the assistant's content) or a :class:`Reply`, which can add latency,
an HTTP error (429 with ``Retry-After``, 500/502/503 …), a hang, an empty reply, a malformed
body, ``<think>`` blocks, a ``reasoning_content`` field or a missing ``usage``.

Every request is recorded (method, path, lower-cased headers, parsed JSON body) in
``server.requests``. Sleeps wait on a stop event, so ``stop()`` ends hangs at once and the
server shuts down within a bounded time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_MODEL = "test-model"
CHAT_PATH = "/v1/chat/completions"
EMBEDDINGS_PATH = "/v1/embeddings"
MODELS_PATH = "/v1/models"

MALFORMED_BODIES: dict[str, tuple[bytes, str]] = {
    "truncated": (b'{"id": "chatcmpl-x", "choices": [{"message": {"content": "\xe5\x8d', "application/json"),
    "html": (b"<html><body>502 Bad Gateway</body></html>", "text/html"),
    "no_choices": (b'{"id": "chatcmpl-x", "object": "chat.completion"}', "application/json"),
    "null_choices": (
        b'{"id": "chatcmpl-x", "object": "chat.completion", "choices": null}',
        "application/json",
    ),
}


@dataclass(frozen=True)
class Reply:
    """One scripted chat-completion reply."""

    content: str | None = "好的。"
    status: int = 200
    latency: float = 0.0
    hang: float = 0.0  # seconds to stall before answering (ended early by stop())
    retry_after: str | None = None
    reasoning_content: str | None = None
    usage: dict[str, int] | bool = True  # True: computed, False: omitted, dict: sent as given
    malformed: str | None = None  # a key of MALFORMED_BODIES
    error_message: str = "scripted error"
    model: str | None = None
    finish_reason: str = "stop"

    @classmethod
    def text(cls, content: str, **kw: Any) -> Reply:
        return cls(content=content, **kw)

    @classmethod
    def error(
        cls, status: int, *, retry_after: float | str | None = None, message: str = "scripted error"
    ) -> Reply:
        after = None if retry_after is None else str(retry_after)
        return cls(content=None, status=status, retry_after=after, error_message=message)

    @classmethod
    def hanging(cls, seconds: float) -> Reply:
        return cls(hang=seconds)

    @classmethod
    def empty(cls) -> Reply:
        return cls(content="")

    @classmethod
    def broken(cls, kind: str = "truncated") -> Reply:
        if kind not in MALFORMED_BODIES:
            raise ValueError(f"unknown malformed kind {kind!r}; one of {sorted(MALFORMED_BODIES)}")
        return cls(malformed=kind)

    @classmethod
    def thinking(cls, answer: str, thought: str = "让我想一想……") -> Reply:
        return cls(content=f"<think>{thought}</think>\n{answer}")

    @classmethod
    def reasoning(cls, answer: str, reasoning: str = "推理过程：先看数据。") -> Reply:
        return cls(content=answer, reasoning_content=reasoning)


ReplyLike = Reply | str
Handler = Callable[["RecordedRequest"], ReplyLike | None]


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None when the body was not JSON
    raw: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")

    @property
    def messages(self) -> list[dict[str, Any]]:
        body = self.body if isinstance(self.body, dict) else {}
        msgs = body.get("messages")
        return msgs if isinstance(msgs, list) else []

    @property
    def last_user_message(self) -> str:
        for msg in reversed(self.messages):
            if isinstance(msg, dict) and msg.get("role") == "user":
                return _content_text(msg.get("content"))
        return ""


@dataclass
class _Rule:
    needle: str
    reply: ReplyLike
    times: int | None


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def hash_embedding(text: str, dim: int = 64) -> list[float]:
    """Deterministic, L2-normalised feature-hashing vector of character uni- and bigrams.

    Texts sharing characters get similar vectors, so a retrieval test can check ranking.
    """
    vec = [0.0] * dim
    grams = list(text) + [text[i : i + 2] for i in range(len(text) - 1)]
    for gram in grams or [""]:
        digest = hashlib.sha256(gram.encode("utf-8")).digest()
        index = int.from_bytes(digest[:4], "little") % dim
        vec[index] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec))
    if norm == 0.0:
        vec[0], norm = 1.0, 1.0
    return [v / norm for v in vec]


def _rough_tokens(text: str) -> int:
    return max(1, len(text)) if text else 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr access log
        return

    def do_GET(self) -> None:
        self.server.owner._dispatch(self, "GET")

    def do_POST(self) -> None:
        self.server.owner._dispatch(self, "POST")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: FakeLLMServer


class FakeLLMServer:
    """Scripted OpenAI-compatible server on 127.0.0.1:<free port>, in a background thread."""

    def __init__(
        self,
        *,
        default_reply: ReplyLike = "好的。",
        default_latency: float = 0.0,
        embedding_dim: int = 64,
        models: tuple[str, ...] = (DEFAULT_MODEL,),
        max_requests: int = 1000,
    ) -> None:
        self.default_reply: ReplyLike = default_reply
        self.default_latency = default_latency
        self.embedding_dim = embedding_dim
        self.models = models
        self.max_requests = max_requests
        self.handler: Handler | None = None
        self.requests: list[RecordedRequest] = []
        self._queue: deque[ReplyLike] = deque()
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._active = 0
        self._stop = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeLLMServer:
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.owner = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self, grace: float = 2.0) -> None:
        """Wake any sleeping handler, stop serving and wait (bounded) for handlers to finish."""
        self._stop.set()
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=grace)
        deadline = time.monotonic() + grace
        with self._idle:
            while self._active and time.monotonic() < deadline:
                self._idle.wait(timeout=max(0.0, deadline - time.monotonic()))
        self._httpd = None

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # ---- scripting -------------------------------------------------------------------------
    def queue(self, *replies: ReplyLike) -> None:
        with self._lock:
            self._queue.extend(replies)

    def on(self, needle: str, reply: ReplyLike, *, times: int | None = None) -> None:
        """Answer ``reply`` when the last user message contains ``needle`` (``times`` uses, or forever)."""
        with self._lock:
            self._rules.append(_Rule(needle, reply, times))

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rules.clear()
            self.requests.clear()
            self.handler = None

    # ---- assertions ------------------------------------------------------------------------
    def requests_to(self, path: str = CHAT_PATH) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def count(self, path: str = CHAT_PATH) -> int:
        return len(self.requests_to(path))

    def authorizations(self, path: str = CHAT_PATH) -> list[str | None]:
        return [r.authorization for r in self.requests_to(path)]

    # ---- request handling ------------------------------------------------------------------
    def _dispatch(self, h: _Handler, method: str) -> None:
        with self._lock:
            self._active += 1
        try:
            self._serve(h, method)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. its timeout)
            pass
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def _serve(self, h: _Handler, method: str) -> None:
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0)) if method == "POST" else b""
        path = h.path.split("?", 1)[0]
        rec = RecordedRequest(
            method, path, {k.lower(): v for k, v in h.headers.items()}, _parse_json(raw), raw
        )
        with self._lock:
            over = len(self.requests) >= self.max_requests
            self.requests.append(rec)
        if over:
            _send_json(h, 503, _error_body("test server request limit reached", 503))
        elif method == "GET" and path == MODELS_PATH:
            _send_json(h, 200, {"object": "list", "data": [_model_card(m) for m in self.models]})
        elif method == "POST" and path == CHAT_PATH:
            self._chat(h, rec)
        elif method == "POST" and path == EMBEDDINGS_PATH:
            self._embeddings(h, rec)
        else:
            _send_json(h, 404, _error_body(f"no route {method} {path}", 404))

    def _choose(self, rec: RecordedRequest) -> ReplyLike:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            text = rec.last_user_message
            for rule in self._rules:
                if rule.needle in text and (rule.times is None or rule.times > 0):
                    if rule.times is not None:
                        rule.times -= 1
                    return rule.reply
            handler = self.handler
        chosen = handler(rec) if handler is not None else None
        return self.default_reply if chosen is None else chosen

    def _chat(self, h: _Handler, rec: RecordedRequest) -> None:
        body = rec.body if isinstance(rec.body, dict) else None
        if body is None or not isinstance(body.get("messages"), list):
            _send_json(h, 400, _error_body("request body must be JSON with a messages list", 400))
            return
        if body.get("stream"):
            _send_json(h, 400, _error_body("this test server supports stream: false only", 400))
            return
        choice = self._choose(rec)
        reply = Reply(content=choice) if isinstance(choice, str) else choice
        self._stop.wait(reply.latency or self.default_latency)
        if reply.hang:
            self._stop.wait(reply.hang)
        if self._stop.is_set():
            return
        if reply.status != 200:
            extra = {"Retry-After": reply.retry_after} if reply.retry_after is not None else {}
            _send_json(h, reply.status, _error_body(reply.error_message, reply.status), extra)
        elif reply.malformed:
            data, ctype = MALFORMED_BODIES[reply.malformed]
            _send(h, 200, data, ctype)
        else:
            _send_json(h, 200, _completion(reply, body, len(self.requests)))

    def _embeddings(self, h: _Handler, rec: RecordedRequest) -> None:
        body = rec.body if isinstance(rec.body, dict) else {}
        raw_input = body.get("input")
        inputs = [raw_input] if isinstance(raw_input, str) or _is_token_list(raw_input) else raw_input
        if not isinstance(inputs, list) or not inputs:
            _send_json(h, 400, _error_body("input must be a string or a non-empty list", 400))
            return
        dim = int(body.get("dimensions") or self.embedding_dim)
        texts = [x if isinstance(x, str) else json.dumps(x) for x in inputs]
        as_b64 = body.get("encoding_format") == "base64"
        data = [_embedding_item(i, hash_embedding(t, dim), as_b64) for i, t in enumerate(texts)]
        tokens = sum(_rough_tokens(t) for t in texts)
        _send_json(
            h,
            200,
            {
                "object": "list",
                "data": data,
                "model": body.get("model", DEFAULT_MODEL),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )


def _is_token_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(x, int) for x in value)


def _embedding_item(index: int, vec: list[float], as_b64: bool) -> dict[str, Any]:
    payload: Any = base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode("ascii") if as_b64 else vec
    return {"object": "embedding", "index": index, "embedding": payload}


def _completion(reply: Reply, body: dict[str, Any], seq: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.reasoning_content is not None:
        message["reasoning_content"] = reply.reasoning_content
    out: dict[str, Any] = {
        "id": f"chatcmpl-{seq}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model or body.get("model") or DEFAULT_MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
    }
    if reply.usage is True:
        prompt = sum(
            _rough_tokens(_content_text(m.get("content"))) for m in body["messages"] if isinstance(m, dict)
        )
        completion = _rough_tokens(reply.content or "")
        out["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
    elif isinstance(reply.usage, dict):
        usage = dict(reply.usage)
        usage.setdefault("total_tokens", usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0))
        out["usage"] = usage
    return out


def _model_card(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "test"}


def _error_body(message: str, status: int) -> dict[str, Any]:
    return {"error": {"message": message, "type": "test_error", "code": status}}


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _send_json(h: _Handler, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
    _send(h, status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json", headers)


def _send(h: _Handler, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    h.send_header("Content-Type", f"{ctype}; charset=utf-8")
    h.send_header("Content-Length", str(len(data)))
    h.send_header("Connection", "close")
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(data)
    h.wfile.flush()
    h.close_connection = True


def running_server(**kwargs: Any) -> Iterator[FakeLLMServer]:
    """Generator for a pytest fixture: a started server, stopped at teardown."""
    server = FakeLLMServer(**kwargs).start()
    try:
        yield server
    finally:
        server.stop()


# ---- a careless model ---------------------------------------------------------------------------
# Scripted misbehaviour for the drafter's adversarial tests: the server's handler answers each
# part with its bullets as prose plus whatever the scenario adds, and, when sent back for repair,
# repeats itself, rewords its numbers as approximations, or complies.

_BULLET_LINE = re.compile(r"^B\d+\. (.+)$", re.M)
_PART_ASK = re.compile(r"中“([^”]+)”的正文")
_CN_DIGIT = "零一二三四五六七八九"


def first_user_message(req: RecordedRequest) -> str:
    return next((_content_text(m.get("content")) for m in req.messages if m.get("role") == "user"), "")


def request_bullets(req: RecordedRequest) -> list[str]:
    return _BULLET_LINE.findall(first_user_message(req))


def request_part(req: RecordedRequest) -> str:
    """The title of the part a drafting request asks for (主动公开情况 …), or ""."""
    m = _PART_ASK.search(first_user_message(req))
    return m.group(1) if m else ""


def is_repair(req: RecordedRequest) -> bool:
    return len([m for m in req.messages if m.get("role") == "user"]) > 1


def good_prose(req: RecordedRequest) -> str:
    """A well-behaved reply: every bullet, in order, as 一是…；二是…."""
    items = request_bullets(req)
    return "；".join(f"{'一二三四五六七八九十'[i % 10]}是{b}" for i, b in enumerate(items)) + "。"


def approximate(text: str) -> str:
    """Arabic figures reworded the way a model hides them: 999条 → 近千条, 37人次 → 三十余人次."""

    def word(n: int) -> str:
        for unit, name in ((10000, "万"), (1000, "千"), (100, "百"), (10, "十")):
            if n >= unit:
                lead = n // unit
                return (
                    "" if lead == 1 and unit == 10 else _CN_DIGIT[lead] if lead < 10 else str(lead)
                ) + name
        return _CN_DIGIT[n]

    def repl(m: re.Match[str]) -> str:
        n = int(m.group(0))
        if n < 10:
            return _CN_DIGIT[n]
        magnitude = 10 ** (len(str(n)) - 1)
        if n % magnitude >= magnitude * 0.9:  # 999 → 近千
            return "近" + word((n // magnitude + 1) * magnitude).lstrip("一")
        return word(n // magnitude * magnitude) + "余"

    return re.sub(r"(?<![\d.])\d+(?![\d.])", repl, text)


@dataclass
class CarelessModel:
    """A handler: good prose for every part, plus ``extra[part title]`` (or ``extra['*']``) on the
    first reply; ``on_repair`` is "repeat", "reword" (numbers → approximations) or "fix"."""

    extra: dict[str, str] = field(default_factory=dict)
    on_repair: str = "repeat"
    wrap: Callable[[str], str] | None = None  # e.g. Markdown around the whole reply
    seen: list[str] = field(default_factory=list)

    def __call__(self, req: RecordedRequest) -> ReplyLike:
        part = request_part(req)
        self.seen.append(part)
        added = self.extra.get(part, self.extra.get("*", ""))
        if is_repair(req):
            if self.on_repair == "fix":
                added = ""
            elif self.on_repair == "reword":
                added = approximate(added)
        text = good_prose(req) + added
        return self.wrap(text) if self.wrap else text
