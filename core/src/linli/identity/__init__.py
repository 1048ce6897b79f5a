"""Identity: accounts, memberships and roles, resident verification, OAuth 2.0, personal data."""
