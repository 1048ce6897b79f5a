"""Watching a running Linli: request ids and structured logs, Prometheus metrics."""
