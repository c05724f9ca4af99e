#!/usr/bin/env python3
"""A small HTTP(S) server for tests/images.sh, on 127.0.0.1 only.

    [PORT=N] [CERT=PEM] httpd.py DIR PORTFILE LOG [CUT-BYTES CUT-COUNT [stall]]

Serves the files of DIR (on port N, else any free one) with an ETag (from
the content) and a Last-Modified, honouring "Range: bytes=START-[END]"
with a 206 answer, and "If-Range" as RFC 9110 says: a validator that is
not the file's current one makes it send the whole file (200).  A file
NAME.location in DIR makes /NAME a redirect (302) to the URL it holds.
With CERT (a PEM file holding the certificate chain and the key) it speaks
https only.  Writes the port it got to PORTFILE and one line per request
to LOG: "GET /name range=<Range or -> if-range=<If-Range or -> STATUS".
With CUT-BYTES and CUT-COUNT, the first CUT-COUNT answers with a body are
cut off after CUT-BYTES bytes of it (the connection closes with less than
the Content-Length announced), as a broken network would; with "stall"
they stop sending instead and keep the connection open, as a hung server
would.
"""
import email.utils
import hashlib
import http.server
import os
import ssl
import sys
import time

root, portfile, logfile = sys.argv[1:4]
cut_bytes = int(sys.argv[4]) if len(sys.argv) > 4 else 0
cut_left = [int(sys.argv[5]) if len(sys.argv) > 5 else 0]
stall = len(sys.argv) > 6 and sys.argv[6] == "stall"


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status):
        with open(logfile, "a") as log:
            log.write("GET %s range=%s if-range=%s %d\n" % (
                self.path, self.headers.get("Range") or "-",
                self.headers.get("If-Range") or "-", status))
        self.send_response(status)

    def do_GET(self):
        rng = self.headers.get("Range")
        name = os.path.basename(self.path.split("?")[0])
        path = os.path.join(root, name)
        if name and os.path.isfile(path + ".location"):
            with open(path + ".location") as f:
                location = f.read().strip()
            self.answer(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not name or not os.path.isfile(path):
            self.answer(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(path, "rb") as f:
            etag = '"%s"' % hashlib.sha256(f.read()).hexdigest()[:16]
        modified = email.utils.formatdate(os.path.getmtime(path), usegmt=True)
        if_range = self.headers.get("If-Range")
        if if_range and if_range not in (etag, modified):
            rng = None  # another version of the file: all of it
        size = os.path.getsize(path)
        start, end = 0, size - 1
        if rng and rng.startswith("bytes="):
            a, _, b = rng[6:].partition("-")
            start = int(a)
            if b:
                end = min(int(b), size - 1)
            if start >= size:
                self.answer(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.answer(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        else:
            self.answer(200)
        length = end - start + 1
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.end_headers()
        limit = length
        cut = cut_bytes and cut_left[0] > 0
        if cut:
            cut_left[0] -= 1
            limit = min(length, cut_bytes)
        with open(path, "rb") as f:
            f.seek(start)
            self.wfile.write(f.read(limit))
        self.wfile.flush()
        if cut and stall:
            time.sleep(3600)  # the test ends the server by its pid
        self.close_connection = True


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "0"))), Handler)
if os.environ.get("CERT"):
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(os.environ["CERT"])
    server.socket = tls.wrap_socket(server.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.daemon_threads = True
server.serve_forever()
