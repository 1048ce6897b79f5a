"""Charity purchases (公益团购 / 助农): a Linli module written against the SDK alone."""
