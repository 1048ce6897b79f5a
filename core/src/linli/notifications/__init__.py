"""Notifications: modules tell members things through the channels an operator configures."""
