"""Ordering's use cases: each module holds one command or the read-side queries."""
