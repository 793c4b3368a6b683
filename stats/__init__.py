"""The city's figures: statistics of requests and letters (SQL aggregation) and the satisfaction index (SKM)."""
