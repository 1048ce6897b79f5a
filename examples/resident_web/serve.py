"""Serve the example resident web frontend on http://127.0.0.1:8765/ (static files only).

The page talks to a Linli API on another origin, so that API must list this page's origin in
``LINLI_CORS_ORIGINS`` (``linli demo`` does) and know the page as an OAuth client with the
redirect URI ``http://127.0.0.1:8765/`` (``linli demo`` registers one and prints the command
to run this with its client id)::

    uv run python examples/resident_web/serve.py --api http://127.0.0.1:8000 --client-id cl_...
"""

from __future__ import annotations

import argparse
import functools
import json
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


class FrontendHandler(SimpleHTTPRequestHandler):
    """Static files from this folder, plus ``/config.json`` saying where the API is."""

    config: bytes = b"{}"

    def do_GET(self) -> None:
        """Answer ``/config.json`` from memory, anything else from the folder."""
        if self.path.split("?")[0] == "/config.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.config)))
            self.end_headers()
            self.wfile.write(self.config)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: the API's log is the one to read."""


def make_server(
    api: str, client_id: str, community: str, host: str = "127.0.0.1", port: int = 8765
) -> ThreadingHTTPServer:
    """A server for the frontend (call ``serve_forever`` on it; ``port=0`` picks a free one)."""
    config = json.dumps({"api": api.rstrip("/"), "clientId": client_id, "community": community})
    handler = type("Handler", (FrontendHandler,), {"config": config.encode()})
    return ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(HERE)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="The Linli API's URL.")
    parser.add_argument("--client-id", required=True, help="The OAuth client id of this page.")
    parser.add_argument("--community", default="sunny-garden", help="The community's slug.")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    server = make_server(args.api, args.client_id, args.community, port=args.port)
    print(f"resident web frontend on http://127.0.0.1:{server.server_port}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
