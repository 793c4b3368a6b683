"""The city's open API (`/api/v1/...`): the service catalogue and the statistics for the city's dashboard.
Field names are Indonesian snake_case and stable; the OpenAPI schema (`/openapi.json`) documents them."""

from bot.api.router import create_api_router

__all__ = ["create_api_router"]
