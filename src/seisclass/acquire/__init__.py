"""Acquire waveforms: stations, work planning, the demo station, FDSN, local archives.

Every source writes raw chunks (:mod:`seisclass.core.waveforms`) that the
signal stage reads; StationXML, catalogue labels and the availability table
belong here too.
"""
