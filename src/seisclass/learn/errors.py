"""The errors of using a saved model (no imports: loading a model stays light until it is needed)."""


class ModelFileError(ValueError):
    """A model file is missing, foreign, corrupt, altered or untrusted; the message names the file."""


class ModelMismatchError(ValueError):
    """A model does not fit the data or configuration; the message names the key and both values."""
