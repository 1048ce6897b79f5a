"""The test kit's insides: the in-memory host and its ports (public via ``linli_sdk.testing``)."""
