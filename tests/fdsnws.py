"""A small FDSN-compatible web service on 127.0.0.1 for tests, with fault injection.

It serves the real recordings of ``tests/data/real`` through the standard
endpoints ObsPy's FDSN client uses (``/fdsnws/{dataselect,station,event}/1/
{query,version,application.wadl}``), so tests exercise the real client, its
service discovery and its error handling. Faults are queued per service and
consumed one per query request: ``500``, ``503``, ``204``, ``truncate`` (body
shorter than its Content-Length), ``drop`` (connection closed mid-body),
``slow:<seconds>`` (delay before answering), and two wrong answers of the
dataselect service: ``swap:<NET.STA>`` (that station's data instead of the one
asked for) and ``extra:<NET.STA>`` (that station's data as well).
"""

from __future__ import annotations

import io
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from obspy import Inventory, Stream, UTCDateTime, read, read_events, read_inventory

WADL_PARAMS = {
    "dataselect": ["starttime", "endtime", "network", "station", "location", "channel", "quality",
                   "minimumlength", "longestonly"],
    "station": ["starttime", "endtime", "startbefore", "startafter", "endbefore", "endafter", "network",
                "station", "location", "channel", "minlatitude", "maxlatitude", "minlongitude",
                "maxlongitude", "latitude", "longitude", "minradius", "maxradius", "level",
                "includerestricted", "includeavailability", "updatedafter", "matchtimeseries", "format"],
    "event": ["starttime", "endtime", "minlatitude", "maxlatitude", "minlongitude", "maxlongitude",
              "latitude", "longitude", "minradius", "maxradius", "mindepth", "maxdepth", "minmagnitude",
              "maxmagnitude", "magnitudetype", "includeallorigins", "includeallmagnitudes",
              "includearrivals", "eventid", "limit", "offset", "orderby", "catalog", "contributor",
              "updatedafter", "format"],
}


def wadl(service: str, base: str) -> bytes:
    """A minimal WADL document of ``service`` listing its query parameters."""
    params = "".join(f'<param name="{p}" style="query" type="xs:string"/>' for p in WADL_PARAMS[service])
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<application xmlns="http://wadl.dev.java.net/2009/02">'
        f'<resources base="{base}/fdsnws/{service}/1/"><resource path="query">'
        f'<method name="GET" id="query"><request>{params}</request></method>'
        "</resource></resources></application>"
    ).encode()


class FDSNService:
    """The service's data and state: waveforms, StationXML, events, faults, request log."""

    def __init__(self, waveform_files: list[Path], stationxml_files: list[Path], quakeml: Path | None = None):
        self.stream = Stream()
        for f in waveform_files:
            self.stream += read(str(f))
        self.inventory = Inventory(networks=[], source="test")
        for f in stationxml_files:
            self.inventory += read_inventory(str(f))
        self.catalog = read_events(str(quakeml)) if quakeml else None
        self.faults: dict[str, deque] = defaultdict(deque)
        self.requests: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    def next_fault(self, service: str) -> str | None:
        with self.lock:
            self.requests[service] += 1
            return self.faults[service].popleft() if self.faults[service] else None

    def dataselect(self, q: dict) -> bytes | None:
        t0, t1 = UTCDateTime(q["starttime"]), UTCDateTime(q["endtime"])
        location = "" if q.get("location", "*") == "--" else q.get("location", "*")
        st = self.stream.select(network=q.get("network", "*"), station=q.get("station", "*"),
                                location=location, channel=q.get("channel", "*")).copy()
        st.trim(t0, t1)
        st = Stream([tr for tr in st if tr.stats.npts > 0])
        if not len(st):
            return None
        buf = io.BytesIO()
        st.write(buf, format="MSEED")
        return buf.getvalue()

    def station(self, q: dict) -> bytes | None:
        location = "" if q.get("location", "*") == "--" else q.get("location", "*")
        inv = self.inventory.select(network=q.get("network", "*"), station=q.get("station", "*"),
                                    location=location, channel=q.get("channel", "*"))
        if not len(inv.networks):
            return None
        buf = io.BytesIO()
        inv.write(buf, format="STATIONXML")
        return buf.getvalue()

    def event(self, q: dict) -> bytes | None:
        if self.catalog is None:
            return None
        t0 = UTCDateTime(q.get("starttime", "1900-01-01"))
        t1 = UTCDateTime(q.get("endtime", "2100-01-01"))
        minmag = float(q.get("minmagnitude", -10))
        events = [e for e in self.catalog if t0 <= e.preferred_origin().time < t1
                  and (e.preferred_magnitude() is None or e.preferred_magnitude().mag >= minmag)]
        if not events:
            return None
        buf = io.BytesIO()
        type(self.catalog)(events=events).write(buf, format="QUAKEML")
        return buf.getvalue()


def make_handler(service: FDSNService):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep pytest output clean
            pass

        def do_GET(self):  # noqa: N802 - http.server API
            url = urlparse(self.path)
            parts = url.path.strip("/").split("/")
            if len(parts) != 4 or parts[0] != "fdsnws" or parts[1] not in WADL_PARAMS:
                return self._send(404, b"not found")
            name, endpoint = parts[1], parts[3]
            if endpoint == "version":
                return self._send(200, b"1.1.0", "text/plain")
            if endpoint == "application.wadl":
                return self._send(200, wadl(name, f"http://{self.headers['Host']}"), "application/xml")
            if endpoint != "query":
                return self._send(404, b"not found")
            fault = service.next_fault(name)
            if fault and fault.startswith("slow:"):
                time.sleep(float(fault.split(":")[1]))
                fault = None
            if fault in ("500", "503", "204"):
                return self._send(int(fault), b"" if fault == "204" else b"injected error")
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            body = getattr(service, name)(q)
            if fault and fault.startswith(("swap:", "extra:")):  # a wrong answer: another station's data
                kind, code = fault.split(":")
                network, station = code.split(".")
                other = getattr(service, name)({**q, "network": network, "station": station, "location": "*"})
                body = other if kind == "swap" else (body or b"") + (other or b"")
                fault = None
            if body is None:
                if fault in ("truncate", "drop"):  # a body fault needs a body: keep it for the next request
                    with service.lock:
                        service.faults[name].appendleft(fault)
                return self._send(204, b"")
            content = "application/vnd.fdsn.mseed" if name == "dataselect" else "application/xml"
            if fault in ("truncate", "drop"):
                self.send_response(200)
                self.send_header("Content-Type", content)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                if fault == "drop":
                    import socket

                    self.connection.shutdown(socket.SHUT_RDWR)
                return None
            return self._send(200, body, content)

        def _send(self, code: int, body: bytes, content: str = "text/plain"):
            self.send_response(code)
            self.send_header("Content-Type", content)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # clients that gave up (slow fault) are expected
        pass


class FDSNServer:
    """Run :class:`FDSNService` on 127.0.0.1 (a free port) in a daemon thread."""

    def __init__(self, service: FDSNService):
        self.service = service
        self.httpd = _QuietServer(("127.0.0.1", 0), make_handler(service))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FDSNServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
