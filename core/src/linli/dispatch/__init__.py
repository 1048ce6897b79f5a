"""Dispatch: matching jobs to workers, delivery networks, durable deadlines, event delivery."""
