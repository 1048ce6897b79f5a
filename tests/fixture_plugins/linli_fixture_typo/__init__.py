"""A plugin that misspells a hook."""

from linli_sdk import Host, Manifest, hookimpl


@hookimpl
def linli_module_enabeld(host: Host) -> None:
    """Misspelt: never called."""


manifest = Manifest(name="typo", version="1.0.0", sdk=">=0.1", title="Typo")
