"""seisclass: classify seismic windows into configurable classes.

The library behind the Snakemake workflow: demo data generation, data
sources, preprocessing, the window grid, labels, features, the time-blocked
split, models, metrics and plots. Workflow scripts are thin adapters.

Apply a saved model to any ObsPy stream::

    import seisclass
    model = seisclass.load_classifier("models/rf.skops")
    probabilities = model.annotate(stream)  # one trace per class
    segments = model.classify(stream)       # a DataFrame of segments

``load_classifier`` is imported on first use: ``import seisclass`` stays light.
"""

__version__ = "0.1.0"

_LAZY = {
    "load_classifier": "seisclass.learn.loading",
    "WindowClassifier": "seisclass.learn.classifier",
    "ModelFileError": "seisclass.learn.errors",
    "ModelMismatchError": "seisclass.learn.errors",
}
__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'seisclass' has no attribute {name!r}")
