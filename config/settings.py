"""Service settings, read from ESURAT_* env vars and `.env`.

Built once in the composition root (`bot.composition`) and passed down; nothing
here runs at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ESURAT_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./var")
    database_url: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    city_name: str = "Palangka Raya"
    paper: str = "A4"
    upload_max_bytes: int = 10 * 1024 * 1024
    directory_refresh_seconds: float = 30.0  # the chat re-reads the kelurahan table (changed by the CLI) this often
    verify_rate_limit_per_minute: int = 60
    demo: bool = False  # set by `esurat demo`: the /demo web chat and its staff pane (no login!)
    outbox_poll_interval: float = 0.2  # seconds between outbox polls when idle

    # Telegram (env: TELEGRAM_BOT_TOKEN, ... without the ESURAT_ prefix)
    telegram_bot_token: str | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base: str = Field(default="https://api.telegram.org", validation_alias="TELEGRAM_API_BASE")
    telegram_mode: str = Field(default="polling", validation_alias="TELEGRAM_MODE")
    telegram_webhook_secret: str | None = Field(default=None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    # Spacing of messages (seconds): per private chat, per group (20/min), and overall (30/s).
    telegram_chat_interval: float = 1.0
    telegram_group_interval: float = 3.0
    telegram_global_per_second: float = 30.0
    telegram_polling_timeout: int = 10

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'esurat.sqlite3').resolve()}"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def letters_dir(self) -> Path:
        return self.data_dir / "letters"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    def ensure_dirs(self) -> None:
        for d in (self.data_dir, self.uploads_dir, self.letters_dir, self.keys_dir):
            d.mkdir(parents=True, exist_ok=True)
