#!/usr/bin/env python3
"""A bundle server for genvej's tests: serves the files of FOLDER with an
ETag (a hash of the content) and Last-Modified, answers If-None-Match with
304 and no body, and appends one line per request to LOG_FILE:
"GET /all.genvej-bundle 200 1234" (status and body bytes sent). With CERT
and KEY it speaks HTTPS. If FOLDER/.status exists, its number is the answer
to every request (e.g. 503: the server is down for maintenance); if
FOLDER/.redirect exists, every request is redirected (302) to the address in it.

Usage: bundle_server.py FOLDER PORT_FILE LOG_FILE [CERT KEY]"""
import email.utils
import hashlib
import os
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        folder = self.server.folder
        forced = os.path.join(folder, ".status")
        if os.path.exists(forced):
            with open(forced) as f:
                return self.answer(int(f.read().strip()), b"")
        redirect = os.path.join(folder, ".redirect")
        if os.path.exists(redirect):
            with open(redirect) as f:
                target = f.read().strip()
            with open(self.server.log_file, "a") as log:
                log.write("GET %s 302 0\n" % self.path)
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        name = self.path.lstrip("/")
        path = os.path.join(folder, name)
        if "/" in name or not os.path.isfile(path):
            return self.answer(404, b"not found")
        with open(path, "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:20]
        modified = email.utils.formatdate(os.path.getmtime(path), usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            return self.answer(304, b"", etag, modified)
        self.answer(200, body, etag, modified)

    def answer(self, status, body, etag=None, modified=None):
        # Logged before answering: a client that has its answer finds it logged.
        with open(self.server.log_file, "a") as log:
            log.write("GET %s %d %d\n" % (self.path, status, len(body)))
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that refuse the certificate hang up mid-handshake.
        pass


def main():
    folder, port_file, log_file = sys.argv[1:4]
    server = Server(("127.0.0.1", 0), Handler)
    server.folder = folder
    server.log_file = log_file
    if len(sys.argv) > 5:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[4], sys.argv[5])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
