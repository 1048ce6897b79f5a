"""The database: engines, the runtime binding of tables, and migrations."""
