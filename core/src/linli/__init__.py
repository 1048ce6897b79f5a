"""linli: the Linli platform — module registry, HTTP API, database and CLI around the SDK."""
