#!/usr/bin/env python3
"""Reads what consign attached to an image back with an independent OCI client (PyPI `oras`).

  oras_check.py [--insecure] [--user U --password P] HOST/REPO@DIGEST FILE...

Checks, without any consign code:
  1. the referrers list exists where the OCI distribution spec says a client without the
     referrers API must keep it: the tag `sha256-<hex>` (listed by the tags API), an image index;
  2. every FILE is attached: some entry's artifact manifest has a `subject` equal to the image
     digest, and its layer, pulled by `oras`, has exactly the FILE's bytes (sha256);
  3. each entry's artifactType matches its manifest's.
Prints one line per file; exit 0 when all are found, 1 otherwise.
"""

import argparse
import hashlib
import os
import sys
import tempfile

import oras.client

INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--insecure", action="store_true")
    ap.add_argument("--ca")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("image")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    name, digest = a.image.split("@", 1)
    host, repo = name.split("/", 1)
    client = oras.client.OrasClient(
        hostname=host,
        insecure=a.insecure,
        tls_verify=a.ca if a.ca else not a.insecure,
        # The distribution server's htpasswd auth is a Basic challenge, not a token service.
        auth_backend="basic" if a.user else "token",
    )
    if a.user:
        client.login(username=a.user, password=a.password, hostname=host, tls_verify=a.ca or True)
    tag = digest.replace(":", "-")
    tags = client.get_tags(name)
    if tag not in tags:
        print(f"referrers tag {tag} not among the tags of {name}: {tags}")
        return 1
    index = client.get_manifest(f"{name}:{tag}", allowed_media_type=[INDEX])
    entries = index.get("manifests", [])
    found = {}
    for e in entries:
        m = client.get_manifest(f"{name}@{e['digest']}", allowed_media_type=[MANIFEST])
        if m.get("subject", {}).get("digest") != digest:
            print(f"{e['digest']}: subject is {m.get('subject')}, not {digest}")
            return 1
        if e.get("artifactType") != m.get("artifactType"):
            print(f"{e['digest']}: index says {e.get('artifactType')}, manifest {m.get('artifactType')}")
            return 1
        with tempfile.TemporaryDirectory() as out:
            for path in client.pull(target=f"{name}@{e['digest']}", outdir=out):
                with open(path, "rb") as f:
                    found[hashlib.sha256(f.read()).hexdigest()] = (e["digest"], m["artifactType"])
    ok = True
    for path in a.files:
        with open(path, "rb") as f:
            h = hashlib.sha256(f.read()).hexdigest()
        if h in found:
            print(f"ok: {os.path.basename(path)} is attached as {found[h][0]} ({found[h][1]})")
        else:
            print(f"missing: {path} (sha256 {h}) is not among the {len(entries)} referrers")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
