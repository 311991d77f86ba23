"""Results: call records, summary statistics, dispositions and notes, transcripts, exports."""
