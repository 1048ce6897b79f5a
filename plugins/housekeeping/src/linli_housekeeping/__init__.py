"""Housekeeping (家政): a Linli module written against the SDK alone."""
