"""Forms for groups."""
