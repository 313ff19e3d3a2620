"""Template libraries of two-factor-ui."""
