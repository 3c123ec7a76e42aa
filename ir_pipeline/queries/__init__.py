"""Reads: aggregated or paged in SQL, scoped to what the acting user may see, returned as views."""
