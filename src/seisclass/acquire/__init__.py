"""Acquire waveforms: the station table, work planning (chunks), and the sources: the demo station,
FDSN web services, local archives (SDS, miniSEED directories), StationXML and catalogues.

Every source writes raw chunks (:mod:`seisclass.core.waveforms`) and a status record per
station-day (:mod:`seisclass.acquire.status`) that the later stages read.
"""
