"""Explanations and exploration: SHAP of the models, embeddings and clusters,
feature correlation."""
