#!/usr/bin/env python3
"""A tiny HTTPS server for genvej's TLS tests: answers every GET with
{"ok": true}, except /videre/PORT/..., which redirects to
http://127.0.0.1:PORT/... (plain http). Usage: https_server.py CERT KEY PORT_FILE"""
import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/videre/"):
            port, _, rest = self.path[len("/videre/"):].partition("/")
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:%s/%s" % (port, rest))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({"ok": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class Server(HTTPServer):
    def handle_error(self, request, client_address):
        # Clients that refuse the certificate hang up mid-handshake.
        pass


def main():
    cert, key, port_file = sys.argv[1:4]
    server = Server(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
