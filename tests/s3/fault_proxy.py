#!/usr/bin/python3
"""An HTTP proxy in front of an S3-compatible server, for mergeflow's tests.

It forwards every request to --upstream and writes one JSON line per request
to --log (method, path, the access key id and session token it was signed
with, the server-side encryption header). With --fault-every N, every Nth
request meets a fault instead, in turn: a 503 SlowDown answer, a 500 answer,
a GET answer cut off halfway through its body (when that turn falls on
another method, the next GET gets it), and a connection closed without any
answer. With --chaos P, each request meets, with probability P, a fault
drawn at random from those and a stall (an answer held back 0.5 to 2.5 s).
With --lose-conditional-answers, the answer to every other conditional PUT
(If-None-Match or If-Match) is lost: the request reaches the upstream, then
the connection closes without an answer, as when a network cuts after the
store acted. With --ignore-conditions it plays a store without conditional writes: a
conditional PUT (If-None-Match or If-Match) that the upstream refuses with
412 is answered 200 (the upstream's object stays as it was). With --tls-cert
and --tls-key it serves HTTPS. Standard library only.
"""
import argparse
import http.client
import http.server
import json
import random
import re
import socketserver
import ssl
import threading
import time
import urllib.parse

FAULTS = ["slowdown", "internal", "cut-body", "drop"]
CHAOS = FAULTS + ["stall"]


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        auth = self.headers.get("Authorization") or ""
        match = re.search(r"Credential=([^/]+)/[^/]+/([^/]+)/", auth)
        server = self.server
        with server.lock:
            server.count += 1
            number = server.count
            fault = None
            if server.cut_pending and self.command == "GET":
                fault = "cut-body"
                server.cut_pending = False
            elif server.fault_every and number % server.fault_every == 0:
                fault = FAULTS[(number // server.fault_every - 1) % len(FAULTS)]
                if fault == "cut-body" and self.command != "GET":
                    fault = None
                    server.cut_pending = True
            elif server.chaos and server.random.random() < server.chaos:
                fault = server.random.choice(CHAOS)
                if fault == "cut-body" and self.command != "GET":
                    fault = "stall"
            entry = {
                "method": self.command,
                "path": self.path,
                "access_key_id": match.group(1) if match else None,
                "region": match.group(2) if match else None,
                "session_token": self.headers.get("x-amz-security-token"),
                "sse": self.headers.get("x-amz-server-side-encryption"),
                "sse_kms_key_id": self.headers.get("x-amz-server-side-encryption-aws-kms-key-id"),
                "fault": fault,
                "if_none_match": self.headers.get("If-None-Match"),
                "if_match": self.headers.get("If-Match"),
            }
            with open(server.log_path, "a") as log:
                log.write(json.dumps(entry) + "\n")
        if fault == "drop":
            self.close_connection = True
            return
        if fault == "stall":
            time.sleep(0.5 + 2.0 * server.random.random())
        if fault in ("slowdown", "internal"):
            code, status = ("SlowDown", 503) if fault == "slowdown" else ("InternalError", 500)
            answer = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        upstream = http.client.HTTPConnection(server.upstream.hostname, server.upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "content-length")}
        upstream.request(self.command, self.path, body=body if body or self.command in ("PUT", "POST") else None,
                         headers=headers)
        response = upstream.getresponse()
        data = response.read()
        conditional = self.headers.get("If-None-Match") or self.headers.get("If-Match")
        if server.lose_conditional_answers and self.command == "PUT" and conditional:
            with server.lock:
                server.conditional_count += 1
                lose = server.conditional_count % 2 == 1
            if lose:
                with open(server.log_path, "a") as log:
                    log.write(json.dumps({"method": "PUT", "path": self.path, "fault": "lost-answer",
                                          "status": response.status}) + "\n")
                upstream.close()
                self.close_connection = True
                return
        if server.ignore_conditions and self.command == "PUT" and conditional and response.status == 412:
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            upstream.close()
            return
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("connection", "transfer-encoding", "content-length", "server", "date"):
                self.send_header(name, value)
        if self.command == "HEAD":
            self.send_header("Content-Length", response.getheader("Content-Length") or "0")
            self.end_headers()
        else:
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if fault == "cut-body" and len(data) > 1:
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(data)
        upstream.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--fault-every", type=int, default=0)
    parser.add_argument("--chaos", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ignore-conditions", action="store_true")
    parser.add_argument("--lose-conditional-answers", action="store_true")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Proxy)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.chaos = args.chaos
    server.ignore_conditions = args.ignore_conditions
    server.lose_conditional_answers = args.lose_conditional_answers
    server.conditional_count = 0
    server.random = random.Random(args.seed)
    server.upstream = urllib.parse.urlparse(args.upstream)
    server.log_path = args.log
    server.fault_every = args.fault_every
    server.count = 0
    server.cut_pending = False
    server.lock = threading.Lock()
    server.serve_forever()


if __name__ == "__main__":
    main()
