"""Service settings, read from environment variables and `.env`, grouped by concern.

Each group is a settings class of its own with its own prefix, so the variable names stay
the ones the README lists (`ESURAT_DATA_DIR`, `ESURAT_HTTP_PORT`, `TELEGRAM_BOT_TOKEN`, ...); the
few that do not follow their group's prefix name their variable with `validation_alias` (and
`validate_by_name` lets code pass them by field name). A new
channel (WhatsApp) adds its group next to `TelegramSettings`.

Built once in the composition root (`bot.composition`) and passed down; nothing here runs at
import time. An impossible combination (webhook mode without a secret) fails here, at start-up.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config.private_files import create_private, private_dir

ENV_FILE = ".env"
# Telegram's rule for `secret_token` of setWebhook.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class HttpSettings(BaseSettings):
    """Where the service listens, the URL the world reaches it at (printed in the QR codes), the host
    names it answers to, the proxies it believes, and how large a request body may be."""

    model_config = SettingsConfigDict(env_prefix="ESURAT_HTTP_", env_file=ENV_FILE, extra="ignore",
                                      validate_by_name=True)

    host: str = "127.0.0.1"
    port: int = 8000
    # Empty (the default): derived from host and port, see `derived_public_url`; no trailing slash.
    public_url: str = Field(default="", validation_alias="ESURAT_PUBLIC_URL")
    # Host names served besides the public URL's and the loopback names (comma-separated); `esurat demo`
    # serves the loopback names only, whatever this says.
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For / -Proto are believed.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)  # any request body but an upload
    max_check_bytes: int = Field(default=2 * 1024 * 1024, gt=0)  # a PDF posted to the public check /v/{id}/check

    @field_validator("allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, value: list[str]) -> list[str]:
        return [name.lower().rstrip(".") for name in value]

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as e:
                raise ValueError(f"ESURAT_HTTP_TRUSTED_PROXIES: {item!r} bukan alamat IP atau jaringan") from e
        return value

    @model_validator(mode="after")
    def _public_url(self) -> Self:
        self.public_url = self.public_url.strip().rstrip("/") or derived_public_url(self.host, self.port)
        return self

    @property
    def public_host(self) -> str:
        return (urlsplit(self.public_url).hostname or "").lower()

    @property
    def public_url_is_local(self) -> bool:
        """Whether the public URL can only be opened on this machine (loopback or unspecified address)."""
        host = self.public_host
        if host == "localhost" or host.endswith(".localhost"):
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return address.is_loopback or address.is_unspecified


def derived_public_url(host: str, port: int) -> str:
    """The public URL when ESURAT_PUBLIC_URL is not set: `http://host:port` as this machine reaches the
    service; listening on every interface (0.0.0.0, ::) is reached on 127.0.0.1."""
    name = host.strip().strip("[]") or "0.0.0.0"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        address = None
    if address is not None and address.is_unspecified:
        name = "127.0.0.1"
    elif address is not None and address.version == 6:
        name = f"[{name}]"
    return f"http://{name}" if port == 80 else f"http://{name}:{port}"


class StorageSettings(BaseSettings):
    """The database and the data directory (uploads, issued letters, seal keys, the CA)."""

    model_config = SettingsConfigDict(env_prefix="ESURAT_", env_file=ENV_FILE, extra="ignore",
                                      validate_by_name=True)

    data_dir: Path = Path("./var")
    database_url: str | None = None  # None: SQLite in data_dir
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    # Uploaded KTP/KK images are deleted this many days after their request ended (issued, rejected,
    # cancelled), and uploads never attached to a request this many days after they came in.
    upload_retention_days: int = Field(default=30, ge=1)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.sqlite_path}"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def letters_dir(self) -> Path:
        return self.data_dir / "letters"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def pki_dir(self) -> Path:
        return self.data_dir / "pki"

    def ensure_dirs(self) -> None:
        """Create the data directory and its parts, 0700 whatever the umask (see `config.private_files`);
        the embedded database file is created 0600 before SQLite or a migration first opens it."""
        for d in (self.data_dir, self.uploads_dir, self.letters_dir, self.keys_dir, self.pki_dir,
                  self.pki_dir / "kelurahan"):
            private_dir(d)
        if self.database_url is None:
            create_private(self.sqlite_path)

    @property
    def sqlite_path(self) -> Path:
        return (self.data_dir / "esurat.sqlite3").resolve()


class TelegramSettings(BaseSettings):
    """The Telegram bot: enabled by its token; polling, or a webhook guarded by a secret."""

    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", env_file=ENV_FILE, extra="ignore",
                                      validate_by_name=True)

    bot_token: SecretStr | None = None
    api_base: str = "https://api.telegram.org"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_secret: SecretStr | None = None
    # Spacing of messages (seconds): per private chat, per group (20/min), and overall (30/s).
    chat_interval: float = Field(default=1.0, validation_alias="ESURAT_TELEGRAM_CHAT_INTERVAL")
    group_interval: float = Field(default=3.0, validation_alias="ESURAT_TELEGRAM_GROUP_INTERVAL")
    global_per_second: float = Field(default=30.0, gt=0, validation_alias="ESURAT_TELEGRAM_GLOBAL_PER_SECOND")
    polling_timeout: int = Field(default=10, validation_alias="ESURAT_TELEGRAM_POLLING_TIMEOUT")
    request_timeout: float = Field(default=20.0, gt=0, validation_alias="ESURAT_TELEGRAM_REQUEST_TIMEOUT")

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and self.bot_token.get_secret_value())

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Self:
        if self.mode == "webhook":
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if not WEBHOOK_SECRET.fullmatch(secret):
                raise ValueError(
                    "TELEGRAM_MODE=webhook memerlukan TELEGRAM_WEBHOOK_SECRET "
                    "(1-256 karakter: huruf, angka, _ atau -); tanpa itu setiap webhook akan ditolak"
                )
        return self


class WhatsAppSettings(BaseSettings):
    """The WhatsApp Cloud API: enabled by its token and phone number id; the webhook is checked with the
    app secret (X-Hub-Signature-256) and subscribed with the verify token, so both are required."""

    model_config = SettingsConfigDict(env_prefix="WHATSAPP_", env_file=ENV_FILE, extra="ignore",
                                      validate_by_name=True)

    token: SecretStr | None = None
    phone_number_id: str = ""
    app_secret: SecretStr | None = None
    verify_token: SecretStr | None = None
    api_base: str = "https://graph.facebook.com/v21.0"  # the Graph API base including its version path
    request_timeout: float = Field(default=20.0, gt=0, validation_alias="ESURAT_WHATSAPP_REQUEST_TIMEOUT")
    # Spacing of messages (seconds): per chat, and overall (the Cloud API's default is 80 messages/s).
    chat_interval: float = Field(default=1.0, validation_alias="ESURAT_WHATSAPP_CHAT_INTERVAL")
    global_per_second: float = Field(default=50.0, gt=0, validation_alias="ESURAT_WHATSAPP_GLOBAL_PER_SECOND")
    # The message templates (registered in WhatsApp Manager) sent outside the 24-hour window.
    template_language: str = Field(default="id", validation_alias="ESURAT_WHATSAPP_TEMPLATE_LANGUAGE")
    template_approved: str = Field(default="esurat_disetujui", validation_alias="ESURAT_WHATSAPP_TEMPLATE_APPROVED")
    template_rejected: str = Field(default="esurat_ditolak", validation_alias="ESURAT_WHATSAPP_TEMPLATE_REJECTED")
    template_revision: str = Field(default="esurat_perbaikan", validation_alias="ESURAT_WHATSAPP_TEMPLATE_REVISION")
    template_issued: str = Field(default="esurat_terbit", validation_alias="ESURAT_WHATSAPP_TEMPLATE_ISSUED")
    template_revoked: str = Field(default="esurat_dicabut", validation_alias="ESURAT_WHATSAPP_TEMPLATE_REVOKED")
    template_update: str = Field(default="esurat_pembaruan", validation_alias="ESURAT_WHATSAPP_TEMPLATE_UPDATE")

    @property
    def enabled(self) -> bool:
        return bool(self.token and self.token.get_secret_value() and self.phone_number_id)

    @model_validator(mode="after")
    def _webhook_needs_secrets(self) -> Self:
        if self.enabled:
            missing = [name for name, value in (("WHATSAPP_APP_SECRET", self.app_secret),
                                                ("WHATSAPP_VERIFY_TOKEN", self.verify_token))
                       if value is None or not value.get_secret_value()]
            if missing:
                raise ValueError(f"WhatsApp aktif (WHATSAPP_TOKEN dan WHATSAPP_PHONE_NUMBER_ID) memerlukan "
                                 f"{' dan '.join(missing)}; tanpa itu webhook tidak dapat diperiksa")
        return self


class BsreSettings(BaseSettings):
    """Certified signatures through a BSrE e-sign API server (`letters/bsre.py`): on for the kelurahan listed in
    `kelurahan` (the others keep e-surat's own CA). `mode` "sign": the official's certificate (NIK and
    passphrase); "seal": the institution's seal (its id and passphrase or TOTP)."""

    model_config = SettingsConfigDict(env_prefix="ESURAT_BSRE_", env_file=ENV_FILE, extra="ignore")

    base_url: str = ""  # e.g. https://esign.example.go.id (tests: a fake server on loopback)
    client_id: str = ""
    client_secret: SecretStr | None = None
    kelurahan: Annotated[list[str], NoDecode] = Field(default_factory=list)  # slugs signed through BSrE
    mode: Literal["sign", "seal"] = "sign"
    nik: str = ""  # the signing official's NIK (mode sign)
    seal_id: str = ""  # the institution's seal subscriber id (mode seal)
    passphrase: SecretStr | None = None
    timeout: float = Field(default=30.0, gt=0)
    # BSrE's root certificates (PEM files, comma-separated), trusted by the PDF check of /v/{id}/check.
    trust_roots: Annotated[list[Path], NoDecode] = Field(default_factory=list)

    @field_validator("trust_roots", mode="before")
    @classmethod
    def _paths(cls, value: object) -> object:
        return [Path(v.strip()) for v in value.split(",") if v.strip()] if isinstance(value, str) else value

    @field_validator("kelurahan", mode="before")
    @classmethod
    def _slugs(cls, value: object) -> object:
        return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.kelurahan)


class Settings(BaseSettings):
    """All settings of one e-surat process."""

    model_config = SettingsConfigDict(env_prefix="ESURAT_", env_file=ENV_FILE, extra="ignore")

    http: HttpSettings = Field(default_factory=HttpSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    whatsapp: WhatsAppSettings = Field(default_factory=WhatsAppSettings)
    bsre: BsreSettings = Field(default_factory=BsreSettings)

    city_name: str = "Palangka Raya"
    paper: str = "A4"
    verify_rate_limit_per_minute: int = 60
    # The public page's letters kept in memory per process (`verification.record_cache`) at most this long (0: not
    # kept); a letter revoked or replaced is dropped sooner: each process asks the database this often which were.
    verify_cache_seconds: float = Field(default=300.0, ge=0)
    verify_change_poll_seconds: float = Field(default=1.0, gt=0)
    agency_rate_per_minute: int = Field(default=60, gt=0)  # calls of one agency's API key (/api/v1/verifikasi)
    agency_rate_burst: int = Field(default=20, gt=0)  # ... at most this many at once
    directory_refresh_seconds: float = 30.0  # the chat re-reads the kelurahan table (changed by the CLI) this often
    demo: bool = False  # set by `esurat demo`: the /demo web chat and its staff pane (no login!)
    outbox_poll_interval: float = 0.2  # seconds between outbox polls when idle
    outbox_send_timeout: float = Field(default=30.0, gt=0)  # seconds; a send still unanswered then is retried
    # Claims of outbox rows and follow-ups are leased to the process for this long and renewed by its
    # heartbeat: a killed process's claims are taken over after at most one lease.
    claim_lease_seconds: float = Field(default=10.0, gt=0)
    claim_heartbeat_seconds: float = Field(default=3.0, gt=0)
    # Where residents complain about a service (PermenPANRB 15/2014), published with every service standard.
    complaint_channel: str = "SP4N-LAPOR! (www.lapor.go.id) atau langsung ke kantor kelurahan"
    statistics_cache_seconds: float = Field(default=60.0, ge=0)  # /api/v1/statistik answers this long from memory
    # Pengingat waktu layanan (`lifecycle.reminders`), dikirim ke obrolan moderasi kelurahan.
    reminders: bool = Field(default=True, description=(
        "Jadwalkan pengingat waktu layanan dan ringkasan harian saat layanan mulai (ESURAT_REMINDERS)"))
    reminder_share: float = Field(default=0.75, gt=0, lt=1, description=(
        "Bagian waktu layanan yang telah berlalu saat permohonan diingatkan \"mendekati batas\" (0,75 = 75%)"))
    reminder_sweep_minutes: int = Field(default=15, ge=1, le=1440, description=(
        "Setiap berapa menit permohonan yang terbuka diperiksa untuk pengingat"))
    daily_summary_hour: int = Field(default=7, ge=0, le=23, description="Jam ringkasan harian (WIB)")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"  # ESURAT_LOG_LEVEL
    log_format: Literal["text", "json"] = "text"  # ESURAT_LOG_FORMAT: one line per record, or one JSON object

    def startup_problem(self, *, demo: bool) -> str | None:
        """Why the service must not start with these settings, or None. A bot (Telegram, WhatsApp) sends
        residents letters whose QR code and "Periksa keaslian" link carry the public URL: outside demo
        mode, that URL must not be one only this machine can open."""
        bots = [name for name, on in (("Telegram", self.telegram.enabled), ("WhatsApp", self.whatsapp.enabled)) if on]
        if demo or not bots or not self.http.public_url_is_local:
            return None
        return (f"Alamat publik {self.http.public_url} hanya dapat dibuka dari komputer ini, padahal bot "
                f"{' dan '.join(bots)} aktif: kode QR dan tautan \"Periksa keaslian\" pada surat warga tidak akan "
                f"dapat dibuka. Atur ESURAT_PUBLIC_URL ke alamat yang dapat dijangkau warga (misalnya "
                f"https://esurat.palangkarayakota.go.id), atau coba secara lokal dengan `esurat demo`.")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value
