"""Acquire waveforms: stations, work planning, the demo station, FDSN, local archives.

Every source writes raw chunks (:mod:`seisclass.acquire.waveforms`) that the
signal stage reads; StationXML, catalogue labels and the availability table
belong here too.
"""
