"""Data quality: what each station-day holds (availability, gaps, skipped files) and how reliable each
station is (PPSD noise against Peterson's models, availability, event SNR, ranked)."""
