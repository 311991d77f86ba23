"""Contact intake: read CSV/XLSX/pasted numbers, map columns, validate, dedupe, suppress, store."""
