"""Typed settings, read once from the environment and `.env`.

Every setting the bot knows lives here; nothing else reads `os.environ`. Campaign settings
use the `MOBILISE_` prefix; platform credentials keep the names Slack and Discord document.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from bot.campaign.dates import ZoneName

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/mobilise.db"
_PREFIX = re.compile(r"[a-z0-9_-]*")  # what Slack allows in a command's name
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
PLATFORMS = ("console", "slack", "discord")


def _split_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """All configuration for one running bot."""

    model_config = SettingsConfigDict(
        env_prefix="MOBILISE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        env_ignore_empty=True,
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the store: an SQLite file (default) or PostgreSQL.",
    )
    campaign: Path = Field(default=Path("campaign"), description="Folder of the campaign pack.")
    timezone: ZoneName = Field(default="Europe/London", description="Time zone of the campaign.")
    now: datetime | None = Field(
        default=None,
        description="Run as if the clock started at this moment (ISO 8601, local time).",
    )
    organisers: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Organiser identities, comma separated, as platform:user id.",
    )
    log_level: str | None = Field(
        default=None,
        description="Logging level; by default WARNING, or INFO when serving a platform.",
    )
    quiet_start: time = Field(
        default=time(8, 0), description="Earliest time for personal messages."
    )
    quiet_end: time = Field(default=time(21, 0), description="Latest time for personal messages.")
    cache: Path | None = Field(
        default=None,
        description="Folder for the answer engine's built files; by default the user's "
        "cache folder.",
    )
    catchup_hours: float = Field(
        default=6.0, gt=0, description="How late a missed reminder may still be sent."
    )
    sweep_seconds: float = Field(
        default=60.0, gt=0, description="How often to look for reminders that are due."
    )
    leader_poll_seconds: float = Field(
        default=5.0, gt=0, description="How often a standby process checks for a leader."
    )
    lease_seconds: float = Field(
        default=15.0,
        ge=1,
        description="How long the reminders lease lasts unless renewed: after a crash, "
        "another process takes over within this.",
    )
    slack_send_rate: float = Field(
        default=4.0, gt=0, description="Reminders sent per second on Slack, at most."
    )
    discord_send_rate: float = Field(
        default=25.0, gt=0, description="Reminders sent per second on Discord, at most."
    )

    refresh_seconds: float = Field(
        default=2.0,
        gt=0,
        le=4,
        description="Slack Home tabs and Discord boards are refreshed this long after a "
        "change, changes in between sharing one refresh.",
    )

    dashboard_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Serve the organisers' web dashboard on this port (`mobilise run`); "
        "unset, there is no dashboard.",
    )
    dashboard_host: str = Field(
        default="127.0.0.1", description="The address the dashboard listens on."
    )
    dashboard_url: str | None = Field(
        default=None,
        description="The dashboard's address as organisers reach it (behind a proxy, say "
        "https://dashboard.example.org), used in sign-in links; by default "
        "http://localhost:<port>.",
    )
    dashboard_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs dashboard sign-in links and sessions; unset, one is "
        "made once and kept in the store.",
    )

    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "slack_app_token")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "slack_signing_secret"),
    )
    slack_api_url: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_API_URL", "slack_api_url")
    )
    http_max_connections: int = Field(
        default=2048,
        ge=1,
        description="--slack-http and the dashboard: connections open at once, at most; "
        "more wait to be accepted (the dashboard: are told it is busy).",
    )
    http_header_timeout: float = Field(
        default=10.0,
        gt=0,
        description="--slack-http and the dashboard: seconds to send a request's headers; "
        "also how long an idle keep-alive connection stays open.",
    )
    http_body_timeout: float = Field(
        default=10.0,
        gt=0,
        description="--slack-http and the dashboard: seconds to send a request's body.",
    )
    command_prefix: str = Field(
        default="",
        description="Slack only: put before every slash command's name (`mob-` makes "
        "/mob-progress), so they do not clash with other apps' commands.",
    )
    slack_organiser_group: str | None = Field(
        default=None,
        description="Handle or id of a Slack user group whose members are organisers.",
    )
    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "discord_token")
    )
    discord_guild_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices("DISCORD_GUILD_IDS", "discord_guild_ids"),
    )
    discord_organiser_role: str | None = Field(
        default=None, description="Members with this Discord role are organisers."
    )
    discord_organiser_permission: int | None = Field(
        default=32,
        ge=0,
        description="Discord permissions (a bit set) a member needs to see organiser "
        "commands: 32 is Manage Server, 8 Administrator; `everyone` shows them to all.",
    )
    discord_events: bool = Field(
        default=False,
        description="Discord only: each branch meeting becomes a scheduled event in the "
        "server (the bot needs the Create Events permission), moved or cancelled with it.",
    )
    discord_api_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_API_URL", "discord_api_url")
    )

    @field_validator("dashboard_url")
    @classmethod
    def _dashboard_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("give the address as http(s)://host[:port][/path]")
        return value

    @field_validator("organisers", "discord_guild_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return _split_list(value)

    @field_validator("organisers")
    @classmethod
    def _organisers(cls, value: list[str]) -> list[str]:
        return [organiser_key(item) for item in value]

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str | None) -> str | None:
        if value is None:
            return None
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(
                f"{value[:20]!r} is not a log level; use one of {', '.join(LOG_LEVELS)}"
            )
        return level

    @field_validator("quiet_end")
    @classmethod
    def _quiet_hours(cls, value: time, info: ValidationInfo) -> time:
        start = info.data.get("quiet_start")
        if start is not None and start == value:
            raise ValueError(
                f"the quiet hours would start and end at {value:%H:%M}: give "
                "MOBILISE_QUIET_START and MOBILISE_QUIET_END different times"
            )
        return value

    @field_validator("command_prefix")
    @classmethod
    def _command_prefix(cls, value: str) -> str:
        if not _PREFIX.fullmatch(value):
            raise ValueError(
                "use only lowercase letters, digits, hyphens and underscores, e.g. mob-"
            )
        return value

    @field_validator("discord_organiser_permission", mode="before")
    @classmethod
    def _everyone(cls, value: Any) -> Any:
        return None if str(value).strip().lower() == "everyone" else value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def has_slack(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def has_discord(self) -> bool:
        return self.discord_token is not None

    def is_organiser(self, platform: str, user_id: str) -> bool:
        try:
            return organiser_key(f"{platform}:{user_id}") in self.organisers
        except ValueError:  # not an id that platform could give
            return False


def organiser_key(identity: str) -> str:
    """`platform:user id` as the platform compares ids: Slack's are upper case, Discord's
    digits, and a console name is taken as typed."""
    platform, colon, user_id = identity.strip().partition(":")
    platform, user_id = platform.strip().lower(), user_id.strip()
    if not colon or platform not in PLATFORMS or not user_id:
        raise ValueError(
            f"{identity[:40]!r} names no platform; write platform:user id, with platform "
            f"one of {', '.join(PLATFORMS)} (e.g. slack:U012AB, console:olive)"
        )
    if platform == "slack":
        if not re.fullmatch(r"[A-Za-z0-9]+", user_id):
            raise ValueError(
                f"{identity[:40]!r}: a Slack user id is letters and digits, e.g. U012AB"
            )
        user_id = user_id.upper()
    if platform == "discord" and not user_id.isdigit():
        raise ValueError(f"{identity[:40]!r}: a Discord user id is digits, e.g. 500000000000000009")
    return f"{platform}:{user_id}"


def find_env_file(start: Path | None = None) -> Path | None:
    """The nearest `.env`: in the current folder, or the closest folder above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / ".env"
        if candidate.is_file():
            return candidate
    return None


def load_settings(**given: Any) -> Settings:
    """Settings from the environment and the nearest `.env`, with relative paths in them
    (the store's SQLite file, the campaign pack) read from the folder holding that `.env`,
    or else from the current folder. `given` values (command-line options) are taken as
    they are, relative to the current folder."""
    env_file = find_env_file()
    base = env_file.parent if env_file is not None else Path.cwd()
    settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    updates: dict[str, Any] = {}
    url = make_url(settings.database_url) if "://" in settings.database_url else None
    if url is not None and url.get_backend_name() == "sqlite" and url.database:
        database = Path(url.database)
        if url.database != ":memory:" and not database.is_absolute():
            updates["database_url"] = url.set(database=str(base / database)).render_as_string(
                hide_password=False
            )
    if not settings.campaign.is_absolute() and (base / settings.campaign).exists():
        updates["campaign"] = base / settings.campaign
    if settings.cache is not None and not settings.cache.is_absolute():
        updates["cache"] = base / settings.cache
    for name, value in given.items():
        if name in ("database_url",) and "://" in str(value):
            given_url = make_url(str(value))
            if given_url.get_backend_name() == "sqlite" and given_url.database:
                path = Path(given_url.database)
                if given_url.database != ":memory:" and not path.is_absolute():
                    value = given_url.set(database=str(Path.cwd() / path)).render_as_string(
                        hide_password=False
                    )
        updates[name] = value
    return settings.model_copy(update=updates) if updates else settings


def env_name(field: str) -> str:
    """The environment variable that sets a field, as a person would set it."""
    info = Settings.model_fields.get(field)
    if info is None:  # an error located by the variable's own name
        for known in Settings.model_fields.values():
            choices = known.validation_alias
            if isinstance(choices, AliasChoices) and field in choices.choices:
                info = known
                break
    alias = info.validation_alias if info is not None else None
    if isinstance(alias, AliasChoices) and alias.choices:
        return str(alias.choices[0])
    return f"MOBILISE_{field.upper()}"


def setting_names(error: ValidationError) -> list[str]:
    """The environment variables behind a settings error, as a person would set them."""
    return [env_name(str(p["loc"][0]) if p["loc"] else "") for p in error.errors()]
