"""Admin for agencies."""
