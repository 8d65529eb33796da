"""Admin for groups."""
