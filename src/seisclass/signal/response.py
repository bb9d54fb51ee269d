"""Instrument response removal from StationXML (to velocity or displacement).

Applied per raw trace before the rest of preprocessing; the pre-filter is
derived from the configured band-pass so the deconvolution never amplifies
noise outside the band that is kept anyway.
"""

from __future__ import annotations

import logging

from obspy import Inventory, Stream

log = logging.getLogger(__name__)

OUTPUTS = {"velocity": "VEL", "displacement": "DISP"}


class ResponseError(ValueError):
    """The response of a channel is missing; the message names station, channel and time."""


def pre_filter(freqmin: float, freqmax: float, sampling_rate: float) -> tuple[float, float, float, float]:
    """Cosine pre-filter corners (Hz): flat between ``freqmin`` and ``freqmax``,
    tapering to half ``freqmin`` and to the lower of 1.25 ``freqmax`` and Nyquist."""
    nyquist = sampling_rate / 2.0
    f3 = min(freqmax, 0.8 * nyquist)
    return 0.5 * freqmin, freqmin, f3, min(1.25 * f3, nyquist)


def remove_instrument_response(
    stream: Stream, inventory: Inventory, output: str, freqmin: float, freqmax: float,
    water_level: float = 60.0, source: str = "StationXML",
) -> Stream:
    """Return a copy of ``stream`` in m/s (``velocity``) or m (``displacement``).

    Raises :class:`ResponseError` naming the station, channel and time when
    ``inventory`` (read from ``source``) has no response for a trace.
    """
    if output not in OUTPUTS:
        raise ResponseError(f"preprocess.remove_response: {output!r} is not one of {sorted(OUTPUTS)}")
    out = Stream()
    for tr in stream.copy().split():
        try:
            inventory.get_response(tr.id, tr.stats.starttime)
        except Exception:  # noqa: BLE001 - ObsPy raises a plain Exception when nothing matches
            raise ResponseError(
                f"station {tr.stats.network}.{tr.stats.station}: no instrument response for channel "
                f"{tr.id} at {tr.stats.starttime} in {source}; provide StationXML with responses "
                "or set preprocess.remove_response: null"
            ) from None
        tr.data = tr.data.astype("float64")
        tr.remove_response(inventory=inventory, output=OUTPUTS[output], water_level=water_level,
                           pre_filt=pre_filter(freqmin, freqmax, tr.stats.sampling_rate),
                           zero_mean=True, taper=True, taper_fraction=0.05)
        out.append(tr)
    log.info("removed the instrument response of %d trace(s) (output %s)", len(out), output)
    return out
