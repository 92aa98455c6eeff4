"""A tiny authoritative DNS server on loopback (UDP) that answers TXT records from a dict.

Custom-domain verification makes a real DNS query with dnspython; tests point
``CUSTOM_DOMAIN_NAMESERVERS`` here instead of at the internet.
"""

from __future__ import annotations

import socket
import threading

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


class TinyDns:
    def __init__(self) -> None:
        self.txt: dict[str, list[str]] = {}
        self.queries: list[str] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> TinyDns:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, address = self._socket.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            for question in query.question:
                name = question.name.to_text().rstrip(".").lower()
                self.queries.append(name)
                values = self.txt.get(name)
                if question.rdtype == dns.rdatatype.TXT and values:
                    quoted = [f'"{value}"' for value in values]
                    response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "TXT", *quoted))
                else:
                    response.set_rcode(dns.rcode.NXDOMAIN)
            self._socket.sendto(response.to_wire(), address)
