"""Forms for services."""
