"""The HTTP API: the platform's routes and every plugin operation, as one Litestar app."""
