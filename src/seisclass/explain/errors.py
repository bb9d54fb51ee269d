"""The error of the exploration (no imports: every exploration module can raise it without a cycle)."""


class ExploreError(ValueError):
    """Bad exploration input or settings; the message names the culprit."""
