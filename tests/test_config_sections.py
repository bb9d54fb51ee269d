"""Config sections map onto their dataclasses strictly: a misspelt key is named, not ignored."""

import pytest

from seisclass.explain.exploration import ExploreError, ExploreParameters
from seisclass.signal.features import FeatureParameters
from seisclass.signal.preprocess import PreprocessParameters


def test_misspelt_key_is_named_with_its_section():
    with pytest.raises(ValueError, match=r"features: unknown key\(s\) \['duration_treshold'\]"):
        FeatureParameters.from_config({"duration_treshold": 2.0})
    with pytest.raises(ExploreError, match=r"explore: unknown key\(s\) \['n_seed'\]"):
        ExploreParameters.from_config({"n_seed": 3})


def test_values_are_converted_and_keys_read_elsewhere_are_accepted():
    p = PreprocessParameters.from_config({"bandpass_hz": [2.0, 20.0], "remove_response": "velocity"})
    assert (p.freqmin, p.freqmax) == (2.0, 20.0)
    assert FeatureParameters.from_config({"bands_hz": [[1, 5]]}).bands_hz == ((1.0, 5.0),)
    assert ExploreParameters.from_config({"k_range": [3, 5]}).k_range == (3, 5)
