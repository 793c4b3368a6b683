"""The local web chat (`/demo`): resident and staff panes over the same engine and moderation."""

from bot.webchat.router import STATIC_DIR, create_webchat_router

__all__ = ["STATIC_DIR", "create_webchat_router"]
