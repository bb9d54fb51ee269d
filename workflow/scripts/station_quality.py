"""Rule adapter: rank the stations by noise, availability, gaps and event SNR; PPSD figure."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure, write_csv
from seisclass.core.runlog import log_to
from seisclass.plots.quality import ppsd_panel
from seisclass.quality.stations import (
    load_ppsds,
    noise_by_hour,
    station_table,
)

log = log_to(snakemake.log[0])
p = snakemake.params.quality
ppsds = load_ppsds(list(snakemake.input.ppsd))
availability = pd.read_csv(snakemake.input.availability, sep="\t", keep_default_na=False, na_values=[""])
dataset = pd.read_parquet(snakemake.input.dataset, columns=["network", "station", "location", "label", "snr"])
table = station_table(ppsds, availability, dataset, list(snakemake.params.classes), p)
log.info("stations ranked:\n%s", table.head(20).to_string())
write_csv(table, snakemake.output.table, sep="\t", float_format="%.4g")
hourly = [noise_by_hour(ppsd, p.noise_band_hz).reset_index().assign(channel=channel)
          for channel, (ppsd, _) in ppsds.items()]
hourly = (pd.concat(hourly, ignore_index=True) if hourly
          else pd.DataFrame(columns=["hour", "noise_db_vs_nlnm", "channel"]))
write_csv(hourly[["channel", "hour", "noise_db_vs_nlnm"]].round(2), snakemake.output.hourly, sep="\t")
save_figure(ppsd_panel(ppsds, table, p.noise_band_hz, p.ppsd_figures), snakemake.output.plot)
