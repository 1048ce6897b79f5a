"""Parcel collection (快递代收): a Linli module written against the SDK alone."""
