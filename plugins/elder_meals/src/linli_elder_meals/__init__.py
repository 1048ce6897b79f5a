"""Elderly meals (老人助餐): a Linli module written against the SDK alone."""
