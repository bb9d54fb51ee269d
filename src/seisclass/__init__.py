"""seisclass: classify seismic windows into configurable classes.

The library behind the Snakemake workflow: demo data generation, data
sources, preprocessing, the window grid, labels, features, the time-blocked
split, models, metrics and plots. Workflow scripts are thin adapters.
"""

__version__ = "0.1.0"
