"""The one settings object. Precedence: CLI flag → environment → config file → default.

The config file is TOML: ``$REPORT_AGENT_CONFIG`` or ``<home>/config.toml``; its keys are the
field names below (``base_url = "http://127.0.0.1:8000/v1"``, ``model = "qwen2.5"`` …).

API keys are bound to the layer that set them: a key taken from the environment is only sent
to the base URL the environment names (or to the provider's default when none is named), a
key from the config file only to the config file's base URL. A base URL given on the command
line or in another layer never receives a key that was set for somewhere else.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

Layer = Literal["cli", "env", "config", "default"]


def default_home() -> Path:
    return Path(platformdirs.user_data_dir("report-agent", appauthor=False))


def config_path() -> Path:
    explicit = os.environ.get("REPORT_AGENT_CONFIG")
    if explicit:
        return Path(explicit)
    home = os.environ.get("REPORT_AGENT_HOME")
    return (Path(home) if home else default_home()) / "config.toml"


def read_config_file(path: Path | None = None) -> dict[str, Any]:
    """The config file as a dict ({} when absent). A malformed file is a clear error."""
    path = path or config_path()
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        from agent.errors import InputError

        raise InputError(f"配置文件格式错误：{exc}", path=str(path)) from exc
    section = data.get("report-agent", data)
    if not isinstance(section, dict):
        from agent.errors import InputError

        raise InputError("配置文件中的 [report-agent] 应为一组“键 = 值”", path=str(path))
    return dict(section)


class _ConfigFileSource(PydanticBaseSettingsSource):
    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return read_config_file()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REPORT_AGENT_", extra="ignore", populate_by_name=True)

    home: Path = Field(default_factory=default_home)
    # LLM (any OpenAI-compatible endpoint)
    api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("REPORT_AGENT_API_KEY", "OPENAI_API_KEY")
    )
    base_url: str | None = Field(
        None, validation_alias=AliasChoices("REPORT_AGENT_BASE_URL", "OPENAI_BASE_URL")
    )
    model: str | None = Field(None, validation_alias=AliasChoices("REPORT_AGENT_MODEL", "OPENAI_MODEL"))
    llm_timeout: float = 60.0
    llm_max_retries: int = 4
    llm_concurrency: int = 8  # parts drafted at once (the annual report has up to 10)
    draft_deadline: float = (
        180.0  # seconds for all model calls of one draft; then the rest is written offline
    )
    temperature: float = 0.3
    cache: bool = True
    offline: bool = False
    # Retrieval
    embedder: str = "hash"  # "hash" (offline default) or "openai" (an OpenAI-compatible /v1/embeddings)
    embedding_model: str | None = None
    embedding_base_url: str | None = None
    embedding_api_key: SecretStr | None = None
    chroma_url: str | None = None
    index_path: Path | None = None  # where the local index lives; default <home>/index
    lock_wait: float = 600.0  # seconds an ingest waits for another one writing the same index
    # Word output (GB/T 9704-2012); fonts are configurable for machines without the GB fonts
    font_body: str = "仿宋_GB2312"
    font_title: str = "方正小标宋简体"
    font_h1: str = "黑体"
    font_h2: str = "楷体_GB2312"
    # Web pages (report-agent serve)
    web_password: SecretStr | None = None  # required when the pages listen beyond 127.0.0.1
    web_upload_mb: int = Field(20, ge=1)  # largest file one may upload
    web_batch_mb: int = Field(200, ge=1)  # largest upload of a batch (several files or a zip, unpacked)
    web_keep_minutes: float = Field(60, gt=0)  # uploads and results are deleted after this long unused

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _ConfigFileSource(settings_cls))

    @property
    def llm_configured(self) -> bool:
        return not self.offline and bool(self.model) and bool(self.base_url or self.api_key)

    @property
    def index_dir(self) -> Path:
        return self.index_path or self.home / "index"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


def load_settings(**cli: Any) -> Settings:
    """Settings with CLI overrides (``None`` values mean 'flag not given')."""
    overrides = {k: v for k, v in cli.items() if v is not None}
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise settings_error(exc, overrides) from None
    settings._layers = _layers(overrides)  # type: ignore[attr-defined]
    return settings


_TYPE_WORDS = {
    "float": "一个数字（如 60 或 0.3）",
    "int": "一个整数（如 4）",
    "bool": " true 或 false（不加引号）",
    "string": "一段文字（用英文双引号括起）",
    "path": "一个文件夹路径（用英文双引号括起）",
}


def settings_error(exc: ValidationError, cli: dict[str, Any]) -> Exception:
    """A clear InputError for settings of the wrong type, naming where each bad value came from
    (command line, environment variable or config file) and what it should be."""
    from agent.errors import InputError

    problems: list[str] = []
    origin: str | None = None
    for e in exc.errors():
        field = str(e["loc"][0]) if e.get("loc") else "?"
        kind = str(e.get("type", "")).split("_")[0]
        want = _TYPE_WORDS.get(kind, str(e.get("msg", "")))
        env_name = f"REPORT_AGENT_{field.upper()}"
        if field in cli:
            where = f"命令行参数 --{field.replace('_', '-')}"
        elif os.environ.get(env_name) is not None:
            where = f"环境变量 {env_name}"
        else:
            where, origin = f"配置文件中的 {field}", str(config_path())
        problems.append(f"{where} 的值“{e.get('input')}”无效，应为{want}")
    return InputError("；".join(problems), path=origin)


def _layers(cli: dict[str, Any]) -> dict[str, Layer]:
    """Which layer set api_key and base_url (for the key-binding rule)."""
    env = os.environ
    cfg = read_config_file()
    env_names = {
        "api_key": ("REPORT_AGENT_API_KEY", "OPENAI_API_KEY"),
        "base_url": ("REPORT_AGENT_BASE_URL", "OPENAI_BASE_URL"),
    }
    layers: dict[str, Layer] = {}
    for name, names in env_names.items():
        if cli.get(name) is not None:
            layers[name] = "cli"
        elif any(env.get(n) for n in names):
            layers[name] = "env"
        elif cfg.get(name) is not None:
            layers[name] = "config"
        else:
            layers[name] = "default"
    return layers


def llm_credentials(settings: Settings) -> tuple[str | None, str | None]:
    """(base_url, api_key) to use. The key is withheld from a base URL set by another layer."""
    layers: dict[str, Layer] = getattr(settings, "_layers", None) or _layers({})
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if key is None:
        return settings.base_url, None
    if settings.base_url is None or layers["base_url"] == layers["api_key"]:
        return settings.base_url, key
    return settings.base_url, None
