#!/usr/bin/env python3
"""A stand-in Kubernetes API server for client-side kubectl runs.

`kubectl create/replace/apply -f FILE --dry-run=client -o yaml` still asks
the server what it serves (API discovery, the OpenAPI document for
validation, and for apply the live object).  This serves exactly that,
read-only, on 127.0.0.1 at a free port, so the tests can run the very
commands the docs print and look at what kubectl would send:

  /api, /api/v1                     core: secrets, configmaps, namespaces
  /apis, /apis/GROUP/VERSION        cert-manager.io/v1 (issuers,
                                    clusterissuers), trust.cert-manager.io/
                                    v1alpha1 (bundles)
  /openapi/v2                       an empty OpenAPI document (kubectl then
                                    skips schema validation of each kind)
  anything else                     404 (no object exists yet)

Any request that is not a GET is answered 405 and logged: a client-side
dry run must never write.  Usage: k8s_discovery.py PORTFILE LOGFILE; the
port is written to PORTFILE once the server listens.
"""
import http.server
import json
import os
import sys

VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def resources(items):
    return [{"name": n, "singularName": "", "namespaced": ns, "kind": k,
             "verbs": VERBS} for n, k, ns in items]


GROUPS = {
    ("cert-manager.io", "v1"): resources([
        ("issuers", "Issuer", True),
        ("clusterissuers", "ClusterIssuer", False)]),
    ("trust.cert-manager.io", "v1alpha1"): resources([
        ("bundles", "Bundle", False)]),
}

CORE = resources([
    ("secrets", "Secret", True),
    ("configmaps", "ConfigMap", True),
    ("namespaces", "Namespace", False)])


def document(path):
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [
                    {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}
    if path == "/api/v1":
        return {"kind": "APIResourceList", "groupVersion": "v1",
                "resources": CORE}
    if path == "/apis":
        groups = []
        for (g, v) in GROUPS:
            gv = {"groupVersion": g + "/" + v, "version": v}
            groups.append({"name": g, "versions": [gv],
                           "preferredVersion": gv})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    parts = path.strip("/").split("/")
    if len(parts) == 3 and parts[0] == "apis" and \
            (parts[1], parts[2]) in GROUPS:
        return {"kind": "APIResourceList",
                "groupVersion": parts[1] + "/" + parts[2],
                "resources": GROUPS[(parts[1], parts[2])]}
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    def log(self, status):
        with open(self.server.logfile, "a") as f:
            f.write("%s %s %d\n" % (self.command, self.path, status))

    def reply(self, status, body=b"", ctype="application/json"):
        self.log(status)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/openapi/v2":
            # A protobuf OpenAPI document with no definitions: zero bytes.
            return self.reply(200, b"", "application/octet-stream")
        doc = document(path)
        if doc is None:
            status = {"kind": "Status", "apiVersion": "v1",
                      "status": "Failure", "reason": "NotFound", "code": 404}
            return self.reply(404, json.dumps(status).encode())
        return self.reply(200, json.dumps(doc).encode())

    def refuse(self):
        self.reply(405)

    do_POST = do_PUT = do_PATCH = do_DELETE = refuse

    def log_message(self, *args):
        pass


def main():
    portfile, logfile = sys.argv[1], sys.argv[2]
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    srv.logfile = logfile
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
