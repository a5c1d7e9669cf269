"""HTTP conventions shared by every context: problem details, parsing, paging, health."""
