"""Forms for agencies."""
