"""Benchmarks of seisclass (``make bench``); not part of the installed package."""
