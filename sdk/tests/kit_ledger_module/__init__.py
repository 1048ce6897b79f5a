"""A module with one table, for the kit's module-database tests (``kit_ledger``)."""
