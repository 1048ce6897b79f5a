"""Emergency supply (应急保供): a Linli module written against the SDK alone."""
