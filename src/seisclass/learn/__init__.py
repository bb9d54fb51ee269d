"""Models and their use: the model interface, random forest, deep models, metrics,
active learning, continuous detections and the model comparison."""
