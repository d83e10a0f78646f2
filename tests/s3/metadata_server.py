#!/usr/bin/python3
"""A stand-in for the EC2 instance metadata service (IMDSv2 only), for
mergeflow's tests: PUT /latest/api/token hands out a session token, and the
role and its credentials are served only to requests that carry it. It also
plays the container credentials endpoint (ECS, EKS Pod Identity):
GET /v1/credentials answers requests whose Authorization header is
"pod-identity-token". Every request is logged to --log as one line:
METHOD PATH TOKEN-OK."""
import argparse
import http.server
import json


class Metadata(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    TOKEN = "imds-session-token-1"
    ROLE = "mergeflow-test-role"

    def log_message(self, *args):
        pass

    def answer(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def note(self, token_ok):
        with open(self.server.log_path, "a") as log:
            log.write(f"{self.command} {self.path} {'token' if token_ok else 'no-token'}\n")

    def do_PUT(self):
        ok = self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        self.note(False)
        if not ok:
            return self.answer(400, "bad token request")
        self.answer(200, self.TOKEN)

    def do_GET(self):
        if self.path == "/v1/credentials":
            authorized = self.headers.get("Authorization") == "pod-identity-token"
            self.note(authorized)
            if not authorized:
                return self.answer(401, "")
            return self.answer(200, json.dumps({
                "AccessKeyId": "ASIAFROMPODIDENTITY",
                "SecretAccessKey": "pod-secret-never-printed",
                "Token": "pod-session-token",
                "Expiration": "2099-01-01T00:00:00Z",
            }))
        token_ok = self.headers.get("X-aws-ec2-metadata-token") == self.TOKEN
        self.note(token_ok)
        if not token_ok:
            return self.answer(401, "")
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            return self.answer(200, self.ROLE)
        if self.path == base + self.ROLE:
            return self.answer(200, json.dumps({
                "Code": "Success",
                "AccessKeyId": "ASIAFROMINSTANCEROLE",
                "SecretAccessKey": "instance-secret-never-printed",
                "Token": "instance-session-token",
                "Expiration": "2099-01-01T00:00:00Z",
            }))
        self.answer(404, "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Metadata)
    server.log_path = args.log
    server.serve_forever()


if __name__ == "__main__":
    main()
