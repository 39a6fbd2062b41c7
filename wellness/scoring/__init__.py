"""Scoring: the pure engine and rules, levels, fitness, the hand-off, and the pipeline that stores scores."""
