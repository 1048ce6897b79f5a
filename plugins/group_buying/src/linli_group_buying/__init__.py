"""Community group buying (社区团购) and live flash sales (社区团播), against the SDK alone."""
