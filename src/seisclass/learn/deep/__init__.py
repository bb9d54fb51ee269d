"""Deep models (PyTorch) next to the random forest: inputs, networks, training.

Apply a saved CNN or LSTM through :func:`seisclass.learn.loading.load_classifier`.
Callers that share cores with other jobs should set ``OMP_WAIT_POLICY=PASSIVE``
before torch is first imported (the workflow's job bootstrap does): spinning
OpenMP threads slowed training tenfold on shared cores.
"""
