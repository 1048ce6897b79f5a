"""Scheduling: durable deadlines, each run exactly once by a worker."""
