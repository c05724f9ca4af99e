#!/usr/bin/env python3
"""A small HTTP server for tests/images.sh, on 127.0.0.1 only.

    [PORT=N] httpd.py DIR PORTFILE LOG [CUT-BYTES CUT-COUNT [stall]]

Serves the files of DIR (on port N, else any free one), honouring "Range: bytes=START-[END]" with a 206
answer.  Writes the port it got to PORTFILE and one line per request to
LOG: "GET /name range=<Range header or ->".  With CUT-BYTES and
CUT-COUNT, the first CUT-COUNT answers with a body are cut off after
CUT-BYTES bytes of it (the connection closes with less than the
Content-Length announced), as a broken network would; with "stall" they
stop sending instead and keep the connection open, as a hung server
would.
"""
import http.server
import os
import sys
import time

root, portfile, logfile = sys.argv[1:4]
cut_bytes = int(sys.argv[4]) if len(sys.argv) > 4 else 0
cut_left = [int(sys.argv[5]) if len(sys.argv) > 5 else 0]
stall = len(sys.argv) > 6 and sys.argv[6] == "stall"


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        rng = self.headers.get("Range")
        with open(logfile, "a") as log:
            log.write("GET %s range=%s\n" % (self.path, rng or "-"))
        name = os.path.basename(self.path.split("?")[0])
        path = os.path.join(root, name)
        if not name or not os.path.isfile(path):
            self.send_error(404)
            return
        size = os.path.getsize(path)
        start, end = 0, size - 1
        if rng and rng.startswith("bytes="):
            a, _, b = rng[6:].partition("-")
            start = int(a)
            if b:
                end = min(int(b), size - 1)
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        else:
            self.send_response(200)
        length = end - start + 1
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
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
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.daemon_threads = True
server.serve_forever()
