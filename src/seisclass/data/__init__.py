"""Labelled data: the label vocabulary, station-day tables, the assembled dataset, the split."""
