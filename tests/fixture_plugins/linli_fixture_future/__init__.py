"""A plugin written for an SDK this platform does not run."""

from linli_sdk import Manifest

manifest = Manifest(name="future", version="2.0.0", sdk=">=9.0,<10", title="From the future")
