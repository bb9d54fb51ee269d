"""Deep models (PyTorch) next to the random forest: inputs, models, training, SHAP.

Apply a saved CNN or LSTM to windows with :func:`predict_windows`.
"""

import os

# Waiting OpenMP threads sleep instead of spinning: on cores shared with other jobs,
# spinning threads slowed training tenfold. Only effective before torch is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .models import load_model, predict_windows  # noqa: E402

__all__ = ["load_model", "predict_windows"]
