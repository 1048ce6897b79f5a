"""The community's pickup network: central and grid warehouses (网格仓), pickup points (自提点)."""
