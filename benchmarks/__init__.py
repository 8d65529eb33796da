"""`make bench`: seed a large and a small network into PostgreSQL, then measure pages and feeds."""
