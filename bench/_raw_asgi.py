"""A raw ASGI app on one database engine, for the benchmarks' plain endpoints.

No framework: the lifespan starts and closes the engine, every request's body is read whole and
handed to the endpoint, and what it returns is sent as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

Endpoint = Callable[[dict[str, Any], bytes], Awaitable[tuple[int, dict[str, Any]]]]
"""``(scope, body) -> (status, answer)``."""


def raw_json_app(
    engine: Any, endpoint: Endpoint, startup: Callable[[], Awaitable[None]] | None = None
) -> Any:
    """An ASGI app serving ``endpoint`` on ``engine`` (``startup`` runs once it has started)."""
    from linli.db.engines import close_engine, start_engine

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await start_engine(engine)
                    if startup is not None:
                        await startup()
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await close_engine(engine)
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, answer = await endpoint(scope, body)
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(answer).encode()})

    return app
