"""Logs, traces and metrics: one request and the saga it starts read as one story."""
