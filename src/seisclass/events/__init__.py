"""From window probabilities to a catalogue of events: each physical event once, with one class.

- :mod:`~seisclass.events.segments`: smoothed window probabilities and runs of one most
  likely class (the window-level view, ``segments.csv``), probability traces;
- :mod:`~seisclass.events.detect`: per-station events with a physical extent (onset to the
  return to the station's noise level, coda included), one class each;
- :mod:`~seisclass.events.associate`: per-station events of one physical event across
  stations become one network event (travel-time aware where coordinates are known), with
  a combined class and a rough location;
- :mod:`~seisclass.events.catalogue`: the output files (``events.csv``,
  ``network_events.csv``, QuakeML) and the result object of ``classify``;
- :mod:`~seisclass.events.evaluate`: event precision, recall and F1 against labelled events.

Everything here reads probability tables and preprocessed waveforms: it knows no model.
"""
