"""Government-service appointments (政务代办): a Linli module written against the SDK alone."""
