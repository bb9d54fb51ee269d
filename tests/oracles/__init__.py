"""Reference implementations used as test oracles (and as benchmark yardsticks)."""
