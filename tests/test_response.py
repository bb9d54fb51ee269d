"""Instrument response removal on the ESEC recordings with their StationXML."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REAL_DATA
from obspy import read, read_inventory

from seisclass.signal.response import ResponseError, pre_filter, remove_instrument_response

pytestmark = pytest.mark.unit

ESEC = REAL_DATA / "esec"


def spcg_z():
    return read(str(next(ESEC.glob("waveforms/1/AV.SPCG..BHZ__*.mseed"))))


def test_velocity_matches_counts_over_sensitivity_in_the_flat_band():
    raw = spcg_z()
    inventory = read_inventory(str(ESEC / "stations/1/AV.SPCG.xml"))
    velocity = remove_instrument_response(raw, inventory, "velocity", 1.0, 10.0)
    sensitivity = inventory.get_response("AV.SPCG..BHZ", raw[0].stats.starttime).instrument_sensitivity
    assert sensitivity.input_units.upper() == "M/S"
    # In a narrow band around f, velocity = counts / |R(f)|, with R the full response in counts per m/s.
    inner = slice(500, -500)  # away from the tapers
    response = inventory.get_response("AV.SPCG..BHZ", raw[0].stats.starttime)
    for f in (1.0, 5.0):
        gain = abs(response.get_evalresp_response_for_frequencies([f], output="VEL")[0])
        a = raw.copy().detrend("demean").filter("bandpass", freqmin=0.85 * f, freqmax=1.15 * f, zerophase=True)[0].data
        b = velocity.copy().filter("bandpass", freqmin=0.85 * f, freqmax=1.15 * f, zerophase=True)[0].data
        assert np.std(b[inner]) == pytest.approx(np.std(a[inner]) / gain, rel=0.05)
    assert gain / sensitivity.value == pytest.approx(1.18, abs=0.01)  # the response is not flat: hence |R(f)|
    assert 1e-10 < np.std(velocity[0].data[inner]) < 1e-3  # m/s of a real ground motion record


def test_displacement_is_integrated_velocity():
    raw, inventory = spcg_z(), read_inventory(str(ESEC / "stations/1/AV.SPCG.xml"))
    vel = remove_instrument_response(raw, inventory, "velocity", 1.0, 10.0)[0]
    disp = remove_instrument_response(raw, inventory, "displacement", 1.0, 10.0)[0]
    derivative = np.gradient(disp.data, disp.stats.delta)
    inner = slice(1000, -1000)
    assert np.corrcoef(derivative[inner], vel.data[inner])[0, 1] > 0.98


def test_missing_response_names_station_channel_and_time():
    wrong = read_inventory(str(ESEC / "stations/1/AV.SPCP.xml"))  # another station's StationXML
    with pytest.raises(ResponseError, match=r"station AV.SPCG: no instrument response for channel AV.SPCG..BHZ "
                                            r"at 2014-09-10T19:20:05"):
        remove_instrument_response(spcg_z(), wrong, "velocity", 1.0, 10.0, source="AV.SPCP.xml")


def test_pre_filter_stays_below_nyquist():
    assert pre_filter(1.0, 45.0, 40.0) == (0.5, 1.0, 16.0, 20.0)
    assert pre_filter(1.0, 10.0, 100.0) == (0.5, 1.0, 10.0, 12.5)
