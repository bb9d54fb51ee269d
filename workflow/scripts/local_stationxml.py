"""Rule adapter: StationXML of one sds/mseed_dir station from configured StationXML files."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from seisclass.acquire.stationxml import select_station_inventory
from seisclass.core.io import atomic_path
from seisclass.core.runlog import log_to

log = log_to(snakemake.log[0])
station = snakemake.params.station
inventory = select_station_inventory(snakemake.params.stationxml, station)
with atomic_path(snakemake.output[0]) as tmp:
    inventory.write(str(tmp), format="STATIONXML")
log.info("%s: StationXML with %d channel epoch(s)", station.id, len(inventory.get_contents()["channels"]))
