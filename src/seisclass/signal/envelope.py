"""Short-time power of a trace: Hann frames on a grid of epoch times, power per frequency band.

Frames of ``frame_s`` seconds start every ``hop_s`` seconds at integer multiples of
``hop_s`` since the epoch, so the frames of every trace and station line up (and with
the window grid). The long-context features (:mod:`seisclass.signal.context`) and the
extent of events (:mod:`seisclass.events.detect`) both read them.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

POWER_FLOOR = 1e-20  # power below this is zero (dB of an all-zero frame)


def frame_spectra(samples: np.ndarray, sampling_rate: float, start: float, frame_s: float, hop_s: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(power (n_frames, n_bins), frame start times (s, epoch), bin frequencies (Hz))`` of a trace.

    Each frame is demeaned and Hann-tapered before its real FFT; ``start`` is the
    epoch time of the first sample.
    """
    n_frame = int(round(frame_s * sampling_rate))
    hop = int(round(hop_s * sampling_rate))
    first = np.ceil(round(start / hop_s, 9)) * hop_s
    offset = int(round((first - start) * sampling_rate))
    x = np.asarray(samples, np.float64)
    freqs = np.fft.rfftfreq(n_frame, 1 / sampling_rate)
    if len(x) - offset < n_frame:
        return np.zeros((0, n_frame // 2 + 1)), np.zeros(0), freqs
    frames = sliding_window_view(x[offset:], n_frame)[::hop]
    frames = frames - frames.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(frames * np.hanning(n_frame), axis=1)
    power = spectrum.real**2 + spectrum.imag**2
    return power, first + hop_s * np.arange(len(frames)), freqs


def band_power(power: np.ndarray, freqs: np.ndarray, band) -> np.ndarray:
    """Summed power of the bins in ``[band[0], band[1])`` Hz, per frame."""
    inside = (freqs >= band[0]) & (freqs < band[1])
    return power[:, inside].sum(axis=1)


def trace_band_power(trace, frame_s: float, hop_s: float, band) -> tuple[np.ndarray, np.ndarray]:
    """``(frame centre times (s, epoch), band power)`` of an ObsPy trace."""
    power, starts, freqs = frame_spectra(trace.data, trace.stats.sampling_rate, trace.stats.starttime.timestamp,
                                         frame_s, hop_s)
    return starts + frame_s / 2, band_power(power, freqs, band)


def decibels(power: np.ndarray, reference: float | np.ndarray) -> np.ndarray:
    """``10 log10(power / reference)`` (dB), zero power at the floor."""
    return 10 * np.log10(np.maximum(power, POWER_FLOOR) / np.maximum(reference, POWER_FLOOR))
