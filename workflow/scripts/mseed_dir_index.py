"""Rule adapter: header index of a miniSEED directory (cached by file size and modification time)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from seisclass.acquire.archives import index_mseed_dir
from seisclass.core.io import write_parquet
from seisclass.core.runlog import log_to

log_to(snakemake.log[0])
write_parquet(index_mseed_dir(snakemake.params.directory, cache=snakemake.params.cache), snakemake.output.index)
