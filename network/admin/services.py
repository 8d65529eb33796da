"""Admin for services."""
