"""The embedded demo station: synthetic but physically plausible day files.

Three kinds of signal are summed on three components (Z, N, E) of ground
velocity (m/s), then scaled to counts with a flat sensitivity:

* **ambient noise** whose power spectral density lies between Peterson's
  (1993) low and high noise models, with the microseism peak those models
  carry, a day/night cultural cycle above 1 Hz, and non-event disturbances
  (instrument spikes, wind gusts);
* **earthquakes** from a Gutenberg-Richter catalogue shared by all stations
  of a day: Brune omega-square source spectra, anelastic attenuation
  ``exp(-pi f t*)``, P and S arrivals from hypocentral distance, coda decay
  and peak amplitudes from the Hutton & Boore (1987) local magnitude scale,
  so small or distant events sink into the noise;
* **tourists**: bursts of footsteps or jumps near the sensor, trains of
  damped 10-40 Hz resonances at 1.5-3 Hz cadence, mostly in daytime, with
  amplitudes from distance (geometric spreading and surface-wave damping).

The model, its equations and parameters are documented in
``resources/demo_model.md``. Everything is seeded: the same configuration
gives bit-identical files.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
from obspy import Stream, Trace, UTCDateTime
from scipy import fft as sfft
from scipy.signal import fftconvolve

from seisclass.core.config import ConfigSection, config_section
from seisclass.core.records import StationDay

COMPONENTS = ("Z", "N", "E")
KM_PER_DEG = 111.19


@config_section("demo")
class DemoParameters(ConfigSection):
    """Parameters of the demo generator (config section ``demo``)."""

    sampling_rate: float
    sensitivity: float  # counts per m/s
    noise_level_night: float  # position between NLNM (0) and NHNM (1), in dB
    noise_level_day: float  # same, at the cultural peak (14 h UTC), above 1 Hz
    spikes_per_hour: float
    gusts_per_hour: float
    earthquakes_per_day: float
    magnitude_min: float
    magnitude_max: float
    b_value: float
    max_distance_km: float
    stress_drop_mpa: float
    quality_factor: float
    kappa_s: float
    vp_km_s: float
    vs_km_s: float
    tourist_bursts_per_day: float
    tourist_reference_amplitude: float  # m/s peak at 5 m
    annotated_fraction: float
    silence_guard_s: float

    def _check(self) -> None:
        if self.magnitude_min > self.magnitude_max:
            raise self.error(f"demo.magnitude_min: {self.magnitude_min} exceeds demo.magnitude_max "
                             f"{self.magnitude_max}")
        if not self.vs_km_s < self.vp_km_s:
            raise self.error(f"demo.vs_km_s: need vs_km_s < vp_km_s (S waves arrive after P), got "
                             f"vs_km_s {self.vs_km_s}, vp_km_s {self.vp_km_s}")


# --------------------------------------------------------------------------- noise


def noise_psd(freqs: np.ndarray, level: float) -> np.ndarray:
    """Velocity PSD ((m/s)^2/Hz) at ``level`` in [0, 1] between NLNM and NHNM (in dB).

    Peterson's models give acceleration PSD in dB re 1 (m/s^2)^2/Hz against
    period; the velocity PSD is the acceleration PSD divided by (2 pi f)^2.
    """

    from obspy.signal.spectral_estimation import (  # slow import: only when generating
        get_nhnm,
        get_nlnm,
    )

    low_periods, low_db = get_nlnm()
    high_periods, high_db = get_nhnm()
    f = np.clip(freqs, 1e-4, None)
    log_period = np.log10(1.0 / f)
    low = np.interp(log_period, np.log10(low_periods[::-1]), low_db[::-1])
    high = np.interp(log_period, np.log10(high_periods[::-1]), high_db[::-1])
    accel = 10 ** ((low + level * (high - low)) / 10.0)
    velocity = accel / (2 * np.pi * f) ** 2
    velocity[freqs <= 0] = 0.0
    return velocity


def shaped_noise(n: int, sampling_rate: float, psd: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise of length ``n`` with one-sided PSD ``psd`` (given at rfftfreq(n))."""
    white = rng.standard_normal(n)
    spectrum = sfft.rfft(white) * np.sqrt(psd * sampling_rate / 2.0)
    return sfft.irfft(spectrum, n)


def daytime_activity(hour_utc: np.ndarray) -> np.ndarray:
    """Cultural activity in [0, 1]: 0 at 02 h, 1 at 14 h (smooth cosine)."""
    return 0.5 * (1.0 - np.cos(2 * np.pi * (np.asarray(hour_utc) - 2.0) / 24.0))


def ambient_noise(t0: float, n: int, p: DemoParameters, rng: np.random.Generator) -> np.ndarray:
    """Ambient noise, shape (3, n), m/s: night background plus a modulated cultural part."""
    fs = p.sampling_rate
    freqs = sfft.rfftfreq(n, 1.0 / fs)
    night = noise_psd(freqs, p.noise_level_night)
    day = noise_psd(freqs, p.noise_level_day)
    cultural = np.clip(day - night, 0.0, None) * (freqs > 1.0)
    hours = ((t0 + np.arange(n) / fs) % 86400.0) / 3600.0
    modulation = np.sqrt(daytime_activity(hours))
    out = np.empty((3, n))
    for c in range(3):
        out[c] = shaped_noise(n, fs, night, rng) + modulation * shaped_noise(n, fs, cultural, rng)
    return out


def add_disturbances(data: np.ndarray, p: DemoParameters, rng: np.random.Generator) -> None:
    """Add instrument spikes and wind gusts (non-event 'silence' signals) in place."""
    fs, n = p.sampling_rate, data.shape[1]
    hours = n / fs / 3600.0
    sigma = data.std(axis=1)
    for _ in range(rng.poisson(p.spikes_per_hour * hours)):
        c, i = rng.integers(3), rng.integers(n)
        data[c, i] += rng.choice([-1, 1]) * rng.uniform(20, 200) * sigma[c]
    for _ in range(rng.poisson(p.gusts_per_hour * hours)):
        length = int(rng.uniform(20, 120) * fs)
        start = rng.integers(0, max(1, n - length))
        m = min(length, n - start)
        freqs = sfft.rfftfreq(m, 1.0 / fs)
        band = ((freqs > 0.5) & (freqs < rng.uniform(4, 10))).astype(float)
        envelope = np.sin(np.pi * np.arange(m) / m) ** 2
        gain = rng.uniform(2.0, 6.0)
        for c, weight in enumerate((0.4, 1.0, 1.0)):
            gust = shaped_noise(m, fs, band, rng)
            gust *= weight * gain * sigma[c] / (gust.std() + 1e-30)
            data[c, start : start + m] += envelope * gust


# ----------------------------------------------------------------------- earthquakes


def earthquake_catalogue(
    day: str, p: DemoParameters, seed: int, center: tuple[float, float]
) -> pd.DataFrame:
    """Events of one UTC day shared by all demo stations (seeded by day).

    Magnitudes follow Gutenberg-Richter (``log10 N = a - b M``) truncated to
    ``[magnitude_min, magnitude_max]``; epicentres are uniform over a disc of
    ``max_distance_km`` around ``center`` (lat, lon); depths 2-15 km.
    """
    day_start = UTCDateTime(day)
    rng = np.random.default_rng([seed, int(day_start.timestamp // 86400), 1])
    n = rng.poisson(p.earthquakes_per_day)
    beta = p.b_value * np.log(10.0)
    span = 1.0 - np.exp(-beta * (p.magnitude_max - p.magnitude_min))
    magnitude = p.magnitude_min - np.log(1.0 - rng.uniform(0, span, n)) / beta
    radius = p.max_distance_km * np.sqrt(rng.uniform(0, 1, n))
    azimuth = rng.uniform(0, 2 * np.pi, n)
    lat = center[0] + radius * np.cos(azimuth) / KM_PER_DEG
    lon = center[1] + radius * np.sin(azimuth) / (KM_PER_DEG * np.cos(np.radians(center[0])))
    origin = day_start.timestamp + np.sort(rng.uniform(0, 86400, n))
    return pd.DataFrame(
        {
            "origin_time": origin,
            "latitude": lat,
            "longitude": lon,
            "depth_km": rng.uniform(2, 15, n),
            "magnitude": np.round(magnitude, 2),
        }
    )


def hypocentral_distance_km(events: pd.DataFrame, lat: float, lon: float) -> np.ndarray:
    """Flat-earth hypocentral distance (km) from each event to a station."""
    dy = (events["latitude"].to_numpy() - lat) * KM_PER_DEG
    dx = (events["longitude"].to_numpy() - lon) * KM_PER_DEG * np.cos(np.radians(lat))
    return np.sqrt(dx**2 + dy**2 + events["depth_km"].to_numpy() ** 2)


def brune_corner_frequency(magnitude: float, stress_drop_mpa: float, vs_km_s: float) -> float:
    """Brune (1970) corner frequency (Hz): fc = 0.4906 beta (dsigma / M0)^(1/3).

    M0 from moment magnitude: log10 M0 [N m] = 1.5 M + 9.1.
    """
    moment = 10 ** (1.5 * magnitude + 9.1)
    return 0.4906 * vs_km_s * 1e3 * (stress_drop_mpa * 1e6 / moment) ** (1.0 / 3.0)


def local_magnitude_amplitude(magnitude: float, distance_km: float) -> float:
    """Peak ground displacement (m) from Hutton & Boore (1987) ML.

    ``ML = log10 A + 1.110 log10(r/100) + 0.00189 (r - 100) + 3.0`` with A the
    Wood-Anderson amplitude in mm (magnification 2080).
    """
    log_a = magnitude - 1.110 * np.log10(distance_km / 100.0) - 0.00189 * (distance_km - 100.0) - 3.0
    return 10**log_a / 2080.0 * 1e-3


def coda_duration_s(magnitude: float, distance_km: float) -> float:
    """Signal duration (s) from a duration-magnitude relation.

    ``Md = -0.87 + 2.0 log10(tau) + 0.0035 r`` (Lee et al., 1972).
    """
    return float(10 ** ((magnitude + 0.87 - 0.0035 * distance_km) / 2.0))


def phase_wavelet(
    n: int, fs: float, corner_hz: float, t_star: float, rise_s: float, decay_s: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Unit-peak velocity wavelet: noise shaped by f * Brune * attenuation, then enveloped."""
    freqs = sfft.rfftfreq(n, 1.0 / fs)
    spectrum_shape = freqs / (1.0 + (freqs / corner_hz) ** 2) * np.exp(-np.pi * freqs * t_star)
    wavelet = sfft.irfft(sfft.rfft(rng.standard_normal(n)) * spectrum_shape, n)
    t = np.arange(n) / fs
    wavelet *= (1.0 - np.exp(-t / rise_s)) * np.exp(-t / decay_s)
    return wavelet / (np.abs(wavelet).max() + 1e-30)


def add_earthquakes(
    data: np.ndarray, t0: float, events: pd.DataFrame, lat: float, lon: float,
    p: DemoParameters, rng: np.random.Generator,
) -> list[tuple[float, float, float, float]]:
    """Add events to ``data`` (3, n) starting at ``t0``; return (tp, end, M, r) per event."""
    fs, n = p.sampling_rate, data.shape[1]
    t1 = t0 + n / fs
    distances = hypocentral_distance_km(events, lat, lon)
    annotations = []
    for (origin, magnitude), r in zip(
        events[["origin_time", "magnitude"]].to_numpy(), distances, strict=True
    ):
        tp, ts = origin + r / p.vp_km_s, origin + r / p.vs_km_s
        duration = float(np.clip(coda_duration_s(magnitude, r), (ts - tp) + 3.0, 300.0))
        if tp + duration < t0 or tp >= t1:
            continue
        fc = brune_corner_frequency(magnitude, p.stress_drop_mpa, p.vs_km_s)
        t_star = r / (p.vs_km_s * p.quality_factor) + p.kappa_s
        peak_s = 2 * np.pi * min(fc, 10.0) * local_magnitude_amplitude(magnitude, r)
        peak_p = peak_s / 5.0 * rng.uniform(0.6, 1.5)
        rise = max(0.05, 0.5 / fc)
        baz = rng.uniform(0, 2 * np.pi)
        p_weights = (1.0, 0.35 * np.cos(baz), 0.35 * np.sin(baz))
        s_weights = (0.35, np.sin(baz), np.cos(baz))
        for arrival, peak, weights, decay in (
            (tp, peak_p, p_weights, min(duration, ts - tp + 2.0) / 3.0),
            (ts, peak_s, s_weights, duration / 3.0),
        ):
            length = int((duration + 5.0) * fs)
            for c in range(3):
                wavelet = phase_wavelet(length, fs, fc, t_star, rise, decay, rng)
                _add_at(data[c], (arrival - t0) * fs, peak * weights[c] * wavelet)
        annotations.append((tp, tp + duration, magnitude, r))
    return annotations


def _add_at(trace: np.ndarray, offset: float, signal: np.ndarray) -> None:
    """Add ``signal`` to ``trace`` starting at sample ``offset`` (clipped to the trace)."""
    i0 = int(round(offset))
    a, b = max(i0, 0), min(i0 + len(signal), len(trace))
    if b > a:
        trace[a:b] += signal[a - i0 : b - i0]


# -------------------------------------------------------------------------- tourists


def footstep_response(fs: float, f0: float, damping: float) -> np.ndarray:
    """Impulse response of one step: a damped resonance at ``f0`` Hz plus a 5 Hz thump."""
    t = np.arange(int(0.6 * fs)) / fs
    ring = np.exp(-damping * 2 * np.pi * f0 * t) * np.sin(2 * np.pi * f0 * np.sqrt(1 - damping**2) * t)
    thump = 0.4 * np.exp(-2 * np.pi * 5.0 * 0.3 * t) * np.sin(2 * np.pi * 5.0 * t)
    response = ring + thump
    return response / np.abs(response).max()


def tourist_burst_times(t0: float, t1: float, rate_per_day: float, rng: np.random.Generator) -> np.ndarray:
    """Burst start times: a Poisson process whose rate follows daytime activity.

    Drawn by thinning: candidates at the peak rate, each kept with probability
    ``0.05 + 0.95 a(t)^2`` (``a`` from :func:`daytime_activity`), scaled so the
    daily mean rate is ``rate_per_day``.
    """
    mean_weight = 0.05 + 0.95 * 3.0 / 8.0  # daily mean of the keep probability
    n_max = rng.poisson(rate_per_day * (t1 - t0) / 86400.0 / mean_weight)
    candidates = np.sort(rng.uniform(t0, t1, n_max))
    weight = 0.05 + 0.95 * daytime_activity((candidates % 86400.0) / 3600.0) ** 2
    return candidates[rng.uniform(0, 1, n_max) < weight]


def add_tourists(
    data: np.ndarray, t0: float, p: DemoParameters, rng: np.random.Generator
) -> list[tuple[float, float, str]]:
    """Add walking and jumping bursts; return (start, end, activity) per burst."""
    fs, n = p.sampling_rate, data.shape[1]
    t1 = t0 + n / fs
    bursts = []
    for start in tourist_burst_times(t0, t1, p.tourist_bursts_per_day, rng):
        jumping = rng.uniform() < 0.3
        cadence = rng.uniform(2.0, 3.0) if jumping else rng.uniform(1.5, 2.2)
        duration = float(np.exp(rng.uniform(np.log(5.0), np.log(180.0))))
        duration = min(duration, t1 - start - 1.0)
        if duration < 2.0:
            continue
        n_steps = max(2, int(duration * cadence))
        step_times = np.arange(n_steps) / cadence + rng.normal(0, 0.04 / cadence, n_steps)
        step_times = np.sort(np.clip(step_times, 0, None))
        if jumping:
            distance = np.full(n_steps, rng.uniform(3.0, 60.0))
        else:
            closest, speed = rng.uniform(3.0, 80.0), rng.uniform(1.1, 1.6)
            distance = np.hypot(closest, speed * (step_times - step_times.mean()))
        f0 = rng.uniform(10.0, 40.0)
        gain = (3.0 if jumping else 1.0) * p.tourist_reference_amplitude
        amplitude = gain * (5.0 / distance) * np.exp(-np.pi * f0 * distance / (30.0 * 300.0))
        amplitude *= rng.lognormal(0.0, 0.25, n_steps)
        impulses = np.zeros(int((step_times[-1] + 1.0) * fs))
        np.add.at(impulses, (step_times * fs).astype(int), amplitude)
        response = footstep_response(fs, f0, rng.uniform(0.05, 0.25))
        signal = fftconvolve(impulses, response)[: len(impulses)]
        for c, weight in enumerate((1.0, rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7))):
            _add_at(data[c], (start - t0) * fs, weight * signal)
        bursts.append((start, start + step_times[-1] + 0.5, "jumping" if jumping else "walking"))
    return bursts


# ------------------------------------------------------------------------ assembly


def _station_seed(seed: int, station_id: str, day_start: float) -> list[int]:
    return [seed, zlib.crc32(station_id.encode()), int(day_start // 86400)]


def generate_station_day(
    network: str, station: str, location: str, channels: str,
    latitude: float, longitude: float,
    t0: UTCDateTime, t1: UTCDateTime, catalogue: pd.DataFrame,
    p: DemoParameters, seed: int, annotated_hours: np.ndarray | None = None,
) -> tuple[Stream, pd.DataFrame, pd.DataFrame]:
    """Generate one station-day in ``[t0, t1)``.

    Returns ``(stream, annotations, truth)``: the three-component stream in
    counts (float32), the analyst annotations (labels ``silence``,
    ``tourists``, ``earthquake`` limited to the annotated hours) and the full
    ground truth with event metadata (magnitude, distance, activity) and each
    event's visibility at the station (``snr_db``, :func:`event_snr_db`).
    """
    sid = ".".join(x for x in (network, station, location) if x)
    rng = np.random.default_rng(_station_seed(seed, sid, t0.timestamp))
    fs = p.sampling_rate
    n = int(round((t1 - t0) * fs))
    data = ambient_noise(t0.timestamp, n, p, rng)
    add_disturbances(data, p, rng)
    background = data[2].copy()  # the vertical component without events: each event's visibility
    quakes = add_earthquakes(data, t0.timestamp, catalogue, latitude, longitude, p, rng)
    tourists = add_tourists(data, t0.timestamp, p, rng)

    stream = Stream()
    for c, component in enumerate(COMPONENTS):
        header = {
            "network": network, "station": station, "location": location,
            "channel": channels[:2] + component, "sampling_rate": fs, "starttime": t0,
        }
        stream.append(Trace((data[c] * p.sensitivity).astype(np.float32), header=header))

    truth = pd.DataFrame(
        [(a, b, "earthquake", f"M{m:.1f} r={r:.0f}km") for a, b, m, r in quakes]
        + [(a, b, "tourists", kind) for a, b, kind in tourists],
        columns=["t0", "t1", "label", "detail"],
    ).sort_values("t0", ignore_index=True)
    truth["t0"] = truth["t0"].clip(lower=t0.timestamp)
    truth["t1"] = truth["t1"].clip(upper=t1.timestamp)
    truth["snr_db"] = event_snr_db(data[2] - background, background, truth, t0.timestamp, fs).round(2)
    if annotated_hours is None:
        annotated_hours = rng.uniform(0, 1, int(np.ceil(n / fs / 3600))) < p.annotated_fraction
    annotations = analyst_annotations(truth, t0.timestamp, t1.timestamp, annotated_hours, p.silence_guard_s)
    keys = {"network": network, "station": station, "location": location, "channel": channels}
    return stream, _with_keys(annotations, keys), _with_keys(truth, keys)


VISIBILITY_BAND_HZ = (1.0, 45.0)  # the band of the visibility of an event (the demo's preprocessing)


def event_snr_db(signal: np.ndarray, background: np.ndarray, events: pd.DataFrame, t0: float, fs: float,
                 band: tuple[float, float] = VISIBILITY_BAND_HZ) -> np.ndarray:
    """Each event's power over the background in its own span, in ``band`` (dB, vertical component).

    ``signal`` holds the events alone, ``background`` the noise and disturbances (same
    samples): the visibility of an event at this station, which no detector can beat.
    """
    out = np.full(len(events), -np.inf)
    for i, (a, b) in enumerate(zip(events["t0"], events["t1"], strict=True)):  # one per event
        i0, i1 = int((a - t0) * fs), int((b - t0) * fs)
        if i1 - i0 < 2:
            continue
        freqs = sfft.rfftfreq(i1 - i0, 1.0 / fs)
        inside = (freqs >= band[0]) & (freqs <= band[1])
        event = np.abs(sfft.rfft(signal[i0:i1])[inside]) ** 2
        noise = np.abs(sfft.rfft(background[i0:i1])[inside]) ** 2
        out[i] = 10 * np.log10(max(event.sum(), 1e-300) / max(noise.sum(), 1e-300))
    return out


def analyst_annotations(
    truth: pd.DataFrame, t0: float, t1: float, annotated_hours: np.ndarray, guard_s: float
) -> pd.DataFrame:
    """What an analyst would mark: events plus ``silence`` between them, in annotated hours only.

    Silence intervals are the gaps between events shrunk by ``guard_s`` on
    each side, so windows that graze an event are not called silence.
    Hours with ``annotated_hours[i] == False`` carry no annotation at all.
    """
    events = truth[["t0", "t1", "label"]].to_numpy()
    edges = np.concatenate([[t0 - guard_s], np.sort(truth["t0"]), [t1 + guard_s]])
    ends = np.concatenate([[t0 - guard_s], np.sort(truth["t1"]), [t1 + guard_s]])
    busy_until = np.maximum.accumulate(ends)
    silence = [
        (busy_until[i] + guard_s, edges[i + 1] - guard_s, "silence")
        for i in range(len(edges) - 1)
        if edges[i + 1] - guard_s > busy_until[i] + guard_s
    ]
    rows = pd.DataFrame(list(events) + silence, columns=["t0", "t1", "label"])
    rows["t0"], rows["t1"] = rows["t0"].clip(lower=t0).astype(float), rows["t1"].clip(upper=t1).astype(float)
    hour = ((rows["t0"] - t0) // 3600).astype(int).clip(0, len(annotated_hours) - 1)
    keep = annotated_hours[hour] & (rows["t1"] > rows["t0"])
    return rows[keep].sort_values("t0", ignore_index=True)


def _with_keys(table: pd.DataFrame, keys: dict) -> pd.DataFrame:
    """Annotation-table layout: station keys, then start/end as ISO 8601 UTC."""
    out = pd.DataFrame({name: value for name, value in keys.items()}, index=table.index)
    out["start"] = [UTCDateTime(t).isoformat() + "Z" for t in table["t0"]]
    out["end"] = [UTCDateTime(t).isoformat() + "Z" for t in table["t1"]]
    for column in table.columns.drop(["t0", "t1"]):
        out[column] = table[column]
    return out


def demo_station_day(day: StationDay, latitude: float, longitude: float, p: DemoParameters, seed: int,
                     center: tuple[float, float]) -> tuple[Stream, pd.DataFrame, pd.DataFrame]:
    """One demo station-day at ``latitude``, ``longitude`` (degrees): waveforms, annotations and ground truth.

    The events of the day and of the day before (whose codas reach past
    midnight) are shared by all demo stations around ``center`` (lat, lon).
    """
    events = pd.concat([earthquake_catalogue(str((UTCDateTime(day.day) - 86400).date), p, seed, center),
                        earthquake_catalogue(day.day, p, seed, center)], ignore_index=True)
    return generate_station_day(day.network, day.station, day.location, day.band, latitude, longitude,
                                UTCDateTime(day.t0), UTCDateTime(day.t1), events, p, seed)
