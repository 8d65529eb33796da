"""Forms for resources."""
