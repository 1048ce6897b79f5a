"""The module runtime: the registry of plugins, their hooks, hosts, calls, enablement and events."""
