"""Community credit (社区信用): credit events, the score, its gates, and provider governance."""
