"""The public pages of e-surat, server-rendered in Indonesian: `/` and `/layanan`."""

from bot.pages.router import create_pages_router
from bot.pages.templating import STATIC_DIR

__all__ = ["STATIC_DIR", "create_pages_router"]
