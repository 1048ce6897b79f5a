"""Logistics: goods documents, pick lists and manifests per grid warehouse and truck run."""
