"""Admin for resources."""
