"""Figures, one module per stage. Each function returns a matplotlib Figure.

The library never chooses the matplotlib backend: the caller does (the
workflow's job bootstrap and the command line select ``Agg``).
"""
