#!/usr/bin/env python3
"""A stand-in case-system server for genvej's tests and for trying genvej
locally: fictional citizens as JSON, on 127.0.0.1.

Usage: case_server.py PORT_FILE
Writes the port it listens on to PORT_FILE once it accepts connections.

  GET /borgere/{cpr}               the citizen: navn, email, adresse
  GET /borgere/{cpr}/ydelser       benefit periods
  GET /borgere/{cpr}/aktiviteter   offers and activities
  GET /borgere/{cpr}/rapporter     progress reports: id and titel
  GET /borgere/{cpr}/plan          the plan: beskaeftigelsesmaal, opdateret
  GET /dokumenter/{id}             a report as a small real PDF (id "ugyldig": HTML)

A first path segment changes the behaviour, for failure tests:
  /slow/...       answers after 3 s
  /fail/...       500 Internal Server Error
  /bad/...        200 with a body that is not JSON
Unknown citizens get 404 with a JSON error. With CASE_SERVER_TOKEN set in the
environment, every request needs `Authorization: Bearer <token>` (else 401).
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

def make_pdf(pages):
    """A minimal, valid PDF: one page per text, Helvetica, A4."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        None,  # the page tree, once the pages are numbered
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for text in pages:
        stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        kids.append(len(objects))
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


REPORTS = {
    "sa-101": ["Statusattest januar side 1", "Statusattest januar side 2"],
    "sa-102": ["Statusattest marts side 1"],
    "sa-103": ["Laegeattest juni side 1", "Laegeattest juni side 2", "Laegeattest juni side 3"],
}

PARAGRAPHS = ["LAB § 32", "LAB § 42", "LAB § 91", "LAS § 7", "Aktivloven § 25"]
OFFERS = [
    ("Virksomhedspraktik hos Brugsen Ølstykke", "Virksomhedspraktik"),
    ("Danskundervisning, modul 3", "Vejledning og opkvalificering"),
    ("Mentorstøtte", "Mentor"),
    ("Jobsøgningsforløb – Sådan skriver du en ansøgning", "Vejledning og opkvalificering"),
    ("Løntilskud i Æbeltoft Kommune", "Løntilskud"),
]


def activities(count):
    items = []
    for i in range(count):
        title, kind = OFFERS[i % len(OFFERS)]
        month = 1 + i % 12
        items.append(
            {
                "titel": f"{title} ({i + 1})" if count > len(OFFERS) else title,
                "tilbudstype": kind,
                "timer_pr_uge": 5 + (i * 7) % 30,
                "paragraf": PARAGRAPHS[i % len(PARAGRAPHS)],
                "start": f"2026-{month:02d}-01",
                "slut": f"2026-{month:02d}-28",
            }
        )
    return items


CITIZENS = {
    "0707614285": {
        "borger": {
            "navn": "Åse Ørum Ågård",
            "email": "aase.aagaard@eksempel.dk",
            "adresse": "Æblevej 7, 2. th., 8000 Aarhus C",
        },
        "ydelser": [
            {"ydelse": "Kontanthjælp", "fra": "2024-03-01", "til": "2025-02-28"},
            {"ydelse": "Sygedagpenge", "fra": "2025-03-01", "til": "2025-09-30"},
            {"ydelse": "Ressourceforløbsydelse", "fra": "2025-10-01", "til": None},
        ],
        "aktiviteter": activities(3),
        "rapporter": [
            {"id": "sa-101", "titel": "Statusattest januar"},
            {"id": "sa-102", "titel": "Statusattest marts"},
            {"id": "sa-103", "titel": "Lægeattest juni"},
        ],
        "plan": {
            "beskaeftigelsesmaal": "Job som butiksassistent i 20 timer om ugen inden for et år.",
            "opdateret": "2026-12-07",
        },
    },
    "0101902001": {
        "borger": {
            "navn": "Søren Øster",
            "email": "soeren.oester@eksempel.dk",
            "adresse": "Østergade 1, 9000 Aalborg",
        },
        "ydelser": [{"ydelse": "Kontanthjælp", "fra": "2026-01-01", "til": None}],
        "aktiviteter": [],
        "rapporter": [{"id": "ugyldig", "titel": "Statusattest (fejl i systemet)"}],
        "plan": {"beskaeftigelsesmaal": "Ordinært job som lagermedarbejder.", "opdateret": "2026-11-02"},
    },
    "2307851234": {
        "borger": {
            "navn": "Mette Frederiksen Bødker",
            "email": "mette.boedker@eksempel.dk",
            "adresse": "Søndergade 40, 5000 Odense C",
        },
        "ydelser": [
            {"ydelse": "Sygedagpenge", "fra": "2023-05-01", "til": "2024-04-30"},
            {"ydelse": "Jobafklaringsforløb", "fra": "2024-05-01", "til": None},
        ],
        "aktiviteter": activities(40),
        "rapporter": [{"id": "sa-101", "titel": "Statusattest januar"}],
        "plan": {
            "beskaeftigelsesmaal": "Afklaring af arbejdsevnen og et fleksjob på sigt.",
            "opdateret": "2026-10-15",
        },
    },
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        token = os.environ.get("CASE_SERVER_TOKEN")
        if token and self.headers.get("Authorization") != "Bearer " + token:
            return self.json(401, {"fejl": "adgang nægtet"})
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        mode = parts[0] if parts and parts[0] in ("slow", "fail", "bad") else None
        if mode:
            parts = parts[1:]
        if mode == "slow":
            time.sleep(3)
        if mode == "fail":
            return self.send(500, b"Internal Server Error: database utilgaengelig\n", "text/plain")
        if mode == "bad":
            return self.send(200, b"<html>Log ind</html>", "application/json")
        if len(parts) == 2 and parts[0] == "dokumenter":
            pages = REPORTS.get(parts[1])
            if pages is None:
                return self.send(200, b"<html>Dokumentet er flyttet</html>", "application/pdf")
            return self.send(200, make_pdf(pages), "application/pdf")
        if len(parts) < 2 or parts[0] != "borgere":
            return self.json(404, {"fejl": "ukendt adresse"})
        citizen = CITIZENS.get(parts[1])
        if citizen is None:
            return self.json(404, {"fejl": "borgeren findes ikke"})
        what = parts[2] if len(parts) > 2 else "borger"
        if what not in citizen:
            return self.json(404, {"fejl": "ukendt adresse"})
        return self.json(200, citizen[what])

    def json(self, status, value):
        body = json.dumps(value, ensure_ascii=False).encode("utf-8")
        self.send(status, body, "application/json; charset=utf-8")

    def send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        # Paths hold CPR numbers: log nothing.
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (timeout tests) closes the connection
        # mid-answer; that is expected, not worth a traceback.
        pass


def main():
    server = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    serving.join()


if __name__ == "__main__":
    main()
