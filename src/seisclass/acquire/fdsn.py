"""FDSN web services: waveform chunks and StationXML through ObsPy's FDSN client.

Every request is retried with exponential backoff on server errors (5xx,
429), timeouts and broken transfers (connection dropped, body shorter than
announced, undecodable miniSEED). A 204 (no data) is a result, not an error:
the chunk becomes an empty file with status ``no_data``. Files are written
under a temporary name and renamed when complete and decoded, so a partial
download never looks finished. Answers are checked against the request: traces
of another network, station, location or channel are refused (status
``refused`` when nothing else came, ``partial`` otherwise, the message naming them).
"""

from __future__ import annotations

import http.client
import logging
import time
from collections.abc import Callable
from fnmatch import fnmatchcase

from obspy import Stream, UTCDateTime, read_inventory
from obspy.clients.fdsn import Client
from obspy.clients.fdsn.header import (
    URL_MAPPINGS,
    FDSNBadGatewayException,
    FDSNException,
    FDSNInternalServerException,
    FDSNNoDataException,
    FDSNServiceUnavailableException,
    FDSNTimeoutException,
    FDSNTooManyRequestsException,
)

from seisclass.acquire.archives import SourceError
from seisclass.acquire.stations import Station
from seisclass.core.config import ConfigSection, config_section
from seisclass.core.io import atomic_path
from seisclass.core.waveforms import read_checked, write_chunk

log = logging.getLogger(__name__)

RETRYABLE = (
    FDSNInternalServerException, FDSNServiceUnavailableException, FDSNBadGatewayException,
    FDSNTimeoutException, FDSNTooManyRequestsException, http.client.HTTPException,
    ConnectionError, TimeoutError,
)


class BrokenTransfer(Exception):
    """A body arrived but does not decode (truncated or corrupt): retried like a 5xx."""


def _check_decodes(reader: Callable, path) -> object:
    try:
        return reader(path)
    except Exception as exc:  # noqa: BLE001 - any decoding failure means a broken transfer
        raise BrokenTransfer(f"downloaded file does not decode: {type(exc).__name__}: {exc}") from exc


@config_section("fdsn")
class FdsnParameters(ConfigSection):
    """Config section ``fdsn``: provider, timeout (s), retries, backoff (s)."""


    provider: str
    timeout_s: float
    retries: int
    backoff_s: float

    def _check(self) -> None:
        try:
            check_provider(self.provider)
        except SourceError as exc:
            raise self.error(f"fdsn.provider: {exc}") from None


# routing services of ObsPy's RoutingClient: ``routing:<name>``
ROUTING = {"eida": "eida-routing", "iris-federator": "earthscope-federator",
           "earthscope-federator": "earthscope-federator"}


def check_provider(provider: str, station: str = "") -> str:
    """Return ``provider`` if it is an ObsPy provider name, an http(s) base URL or ``routing:<name>``.

    Raises :class:`SourceError` naming the station otherwise (checked before
    any job runs, without network access).
    """

    if provider.upper() in URL_MAPPINGS or provider.startswith(("http://", "https://")):
        return provider
    if provider.startswith("routing:") and provider.removeprefix("routing:") in ROUTING:
        return provider
    where = f"station {station}: " if station else ""
    raise SourceError(
        f"{where}unknown FDSN provider {provider!r}; use a base URL (https://...), "
        f"{', '.join('routing:' + r for r in ROUTING)} or one of {sorted(URL_MAPPINGS)}"
    )


def provider_of(station: Station, default: str) -> str:
    """The station's ``provider`` option, else ``default``."""
    return station.option("provider") or default


def make_client(provider: str, p: FdsnParameters, station: str = ""):
    """ObsPy FDSN client for ``provider`` (service discovery retried like requests); a RoutingClient for
    ``routing:<name>`` (EIDA routing, the EarthScope federator)."""
    check_provider(provider, station)
    if provider.startswith("routing:"):
        from obspy.clients.fdsn import RoutingClient

        name = ROUTING[provider.removeprefix("routing:")]
        return with_retries(lambda: RoutingClient(name, timeout=p.timeout_s), p, f"{station} connect {provider}")
    return with_retries(lambda: Client(provider, timeout=p.timeout_s), p, f"{station} connect {provider}")


class NoData(Exception):
    """The service answered 204: no data for the request."""


def with_retries(call: Callable, p: FdsnParameters, what: str):
    """Run ``call``; retry ``p.retries`` times on :data:`RETRYABLE` errors, waiting
    ``p.backoff_s * 2**attempt`` seconds. A 204 raises :class:`NoData` at once."""
    for attempt in range(p.retries + 1):
        try:
            return call()
        except FDSNNoDataException as exc:
            raise NoData(str(exc)) from exc
        except (*RETRYABLE, BrokenTransfer) as exc:
            if attempt == p.retries:
                raise SourceError(f"{what}: failed after {attempt + 1} attempts: {type(exc).__name__}: {exc}") from exc
            wait = p.backoff_s * 2**attempt
            log.warning("%s: attempt %d failed (%s: %s); retrying in %.2f s",
                        what, attempt + 1, type(exc).__name__, exc, wait)
            time.sleep(wait)
        except FDSNException as exc:
            raise SourceError(f"{what}: {type(exc).__name__}: {exc}") from exc
    raise AssertionError("unreachable")


def download_waveforms(
    client: Client, station: Station, t0: UTCDateTime, t1: UTCDateTime, path, p: FdsnParameters
) -> dict:
    """Fetch ``[t0, t1)`` of ``station`` to ``path`` (miniSEED); return a status record.

    Status ``ok`` with the number of traces, or ``no_data`` (204, empty file).
    A download that does not decode as miniSEED is retried like a 5xx. Traces of
    codes other than the ones asked for are never stored: status ``refused`` (an
    empty file) when the answer held nothing else, ``partial`` when it did.
    """
    what = f"station {station.id} {t0}-{t1}"
    foreign: list[str] = []

    def fetch():
        with atomic_path(path) as tmp:
            if isinstance(client, Client):
                client.get_waveforms(station.network, station.station, station.location or "--",
                                     station.channels, t0, t1, filename=str(tmp))
            else:  # a routing client returns the merged answers of the data centres it asks
                write_chunk(client.get_waveforms(network=station.network, station=station.station,
                                                 location=station.location or "--", channel=station.channels,
                                                 starttime=t0, endtime=t1), tmp)
            stream = _check_decodes(read_checked, tmp)
            if not len(stream):
                raise BrokenTransfer("downloaded file holds no miniSEED records")
            asked, other = split_foreign(stream, station)
            foreign[:] = sorted({tr.id for tr in other})
            if other:
                write_chunk(asked, tmp)  # only what was asked for is stored (an empty file when nothing)
        return len(asked)

    try:
        n = with_retries(fetch, p, what)
    except NoData:
        with atomic_path(path) as tmp:
            tmp.write_bytes(b"")
        return {"status": "no_data", "message": f"{what}: service returned 204 (no data)"}
    if foreign:
        asked = f"{station.network}.{station.station}.{station.location}.{station.channels}"
        message = (f"{what}: the service answered with {', '.join(foreign)}, not the requested {asked}: "
                   f"refused{'' if n else ' (no data of the requested station kept)'}")
        log.warning(message)
        return {"status": "partial" if n else "refused", "message": message, "traces": n}
    return {"status": "ok", "message": "", "traces": n}


def split_foreign(stream: Stream, station: Station) -> tuple[Stream, Stream]:
    """``(asked, other)``: traces of the station's network, station, location and channel pattern, and the rest."""
    def asked(tr) -> bool:
        s = tr.stats
        return (s.network == station.network and s.station == station.station and s.location == station.location
                and fnmatchcase(s.channel, station.channels))

    return Stream([tr for tr in stream if asked(tr)]), Stream([tr for tr in stream if not asked(tr)])


def download_stationxml(client: Client, station: Station, t0: UTCDateTime, t1: UTCDateTime, path,
                        p: FdsnParameters) -> None:
    """Fetch StationXML (response level) of ``station`` for ``[t0, t1)`` to ``path``.

    Raises :class:`SourceError` naming the station when the service knows no
    such station (204): a wrong station code fails here, before any waveform.
    """
    what = f"station {station.id} StationXML"

    def fetch():
        with atomic_path(path) as tmp:
            client.get_stations(network=station.network, station=station.station,
                                location=station.location or "--", channel=station.channels,
                                starttime=t0, endtime=t1, level="response", filename=str(tmp))
            _check_decodes(lambda f: read_inventory(str(f), format="STATIONXML"), tmp)

    try:
        with_retries(fetch, p, what)
    except NoData:
        raise SourceError(
            f"station {station.id} (channels {station.channels}): the station service of "
            f"{client.base_url} knows no such station between {t0} and {t1}; check the codes in the station table"
        ) from None
