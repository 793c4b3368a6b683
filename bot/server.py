"""Start the HTTP service (uvicorn) with the workers the settings call for."""

from __future__ import annotations

import uvicorn

from bot.composition import build_services
from bot.web import create_app
from config.settings import Settings


def serve(settings: Settings, *, demo: bool) -> None:
    if demo:
        from bot.webchat.seed import seed_demo

        seed_demo(settings)  # one demo staff member per kelurahan (after the migrations; idempotent)
    settings = settings.model_copy(update={"demo": demo})
    services = build_services(settings)
    app = create_app(services)
    http = settings.http
    print(f"e-surat berjalan di {http.public_url}  (demo: {http.public_url}/demo)", flush=True)
    # log_config=None: uvicorn's records go through the masking handler set up by the CLI.
    uvicorn.run(app, host=http.host, port=http.port, log_level=settings.log_level.lower(), log_config=None)
