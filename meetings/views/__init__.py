"""Pages of the meetings app, split by sub-area."""
