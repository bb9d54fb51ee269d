"""The typed core below every stage: the shared vocabulary (:mod:`~seisclass.core.vocabulary`),
the station-day record (:mod:`~seisclass.core.records`), config sections and their schema
(:mod:`~seisclass.core.config`), the one strict miniSEED reader
(:mod:`~seisclass.core.waveforms`), atomic files (:mod:`~seisclass.core.io`) and job logs
(:mod:`~seisclass.core.runlog`). It imports no other part of seisclass."""
