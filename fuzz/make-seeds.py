#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target under fuzz/corpus/<target>/ from the test
fixtures (tests/fixtures/), trimmed or repackaged so that every seed stays under 100 KB.

Run from the repository root: python3 fuzz/make-seeds.py. Needs python3 and the `zstd` CLI
(for a zstd layer seed; skipped without it). The output is deterministic (fixed mtimes).
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")
OUT = os.path.join(ROOT, "fuzz", "corpus")
MAX = 100_000
SEP = b"\n--8<--\n"  # consign::fuzzing::DOCUMENT_SEPARATOR


def read(rel):
    with open(os.path.join(FIX, rel), "rb") as f:
        return f.read()


def put(target, name, data):
    assert len(data) < MAX, (target, name, len(data))
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def stanzas(text, limit):
    """The first blank-line-separated paragraphs of `text` that fit in `limit` bytes."""
    out = b""
    for p in text.split(b"\n\n"):
        if len(out) + len(p) + 2 > limit:
            break
        out += p + b"\n\n"
    return out


# ---- tar helpers -------------------------------------------------------------------------

def tar_bytes(members, fmt=tarfile.PAX_FORMAT):
    """members: (name, kind, data_or_target)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            info.uid = info.gid = 0
            if kind == "file":
                info.size = len(data)
                info.mode = 0o644
                t.addfile(info, io.BytesIO(data))
            elif kind == "exe":
                info.size = len(data)
                info.mode = 0o755
                t.addfile(info, io.BytesIO(data))
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                t.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = data
                t.addfile(info)
            elif kind == "hardlink":
                info.type = tarfile.LNKTYPE
                info.linkname = data
                t.addfile(info)
            elif kind == "fifo":
                info.type = tarfile.FIFOTYPE
                t.addfile(info)
    return buf.getvalue()


def gz(data):
    return gzip.compress(data, mtime=0)


def zst(data):
    if not shutil.which("zstd"):
        return None
    return subprocess.run(["zstd", "-q", "-c", "-19"], input=data, stdout=subprocess.PIPE,
                          check=True).stdout


def sha(data):
    return hashlib.sha256(data).hexdigest()


APK_TINY = read("apk/tiny-musl-only/lib/apk/db/installed")
OS_RELEASE = read("apk/alpine-3.11-image/etc/os-release")
DPKG_SMALL = stanzas(read("deb/ubuntu-18.04-many/var/lib/dpkg/status"), 4000)
PY_METADATA = read("python/monotonic-1.6-wheel/site-packages/monotonic-1.6.dist-info/METADATA")
NPM_LOCK = read("npm/package-lock-v3/package-lock.json")

ROOTFS = [
    ("etc", "dir", None),
    ("etc/os-release", "file", OS_RELEASE),
    ("lib/apk/db/installed", "file", APK_TINY),
    ("var/lib/dpkg/status", "file", DPKG_SMALL),
    ("usr/lib/python3/site-packages/monotonic-1.6.dist-info/METADATA", "file", PY_METADATA),
    ("app/package-lock.json", "file", NPM_LOCK[:20000] if len(NPM_LOCK) > 20000 else NPM_LOCK),
    ("usr/lib/os-release", "symlink", "../../etc/os-release"),
    ("etc/alpine-release", "hardlink", "etc/os-release"),
    ("etc/.wh.old-file", "file", b""),
    ("opt/.wh..wh..opq", "file", b""),
    ("run/fifo", "fifo", None),
    ("usr/share/" + "long-directory-name/" * 8 + "file.txt", "file", b"pax long name\n"),
]


def layer_seeds():
    hello = "images/hello-world-oci-layout/blobs/sha256/"
    put("layer", "hello-world-layer.tar.gz",
        read(hello + "cdd16bd695eda2819e7637648f573c2ca64896c4f7bff9732ac9db734ca3bc2c"))
    plain = tar_bytes(ROOTFS)
    put("layer", "rootfs.tar", plain)
    put("layer", "rootfs.tar.gz", gz(plain))
    z = zst(plain)
    if z:
        put("layer", "rootfs.tar.zst", z)
    put("layer", "gnu-format.tar", tar_bytes(ROOTFS[:6], fmt=tarfile.GNU_FORMAT))
    put("layer", "empty.tar", b"\0" * 1024)
    return plain


def docker_save(layer):
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "", "Env": ["PATH=/usr/bin"], "Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(layer)]},
        "history": [{"created_by": "ADD rootfs.tar /"}],
    }).encode()
    cfg_name = sha(config) + ".json"
    manifest = json.dumps([{"Config": cfg_name, "RepoTags": ["fuzz:1"],
                            "Layers": [sha(layer) + "/layer.tar"]}]).encode()
    return config, cfg_name, manifest, tar_bytes([
        (sha(layer) + "/layer.tar", "file", layer),
        (cfg_name, "file", config),
        ("manifest.json", "file", manifest),
    ], fmt=tarfile.USTAR_FORMAT)


def image_seeds(layer):
    # The hello-world OCI layout, as an oci-archive (ustar, as `docker save`/skopeo write).
    base = os.path.join(FIX, "images/hello-world-oci-layout")
    members = []
    for dirpath, _, files in sorted(os.walk(base)):
        for f in sorted(files):
            p = os.path.join(dirpath, f)
            members.append((os.path.relpath(p, base), "file", open(p, "rb").read()))
    put("image_archive", "hello-world.oci.tar", tar_bytes(members, fmt=tarfile.USTAR_FORMAT))
    config, _, manifest, archive = docker_save(layer)
    put("image_archive", "rootfs.docker.tar", archive)

    # image_metadata: documents with digest placeholders (see consign::fuzzing::image_metadata).
    put("image_metadata", "docker-save.txt",
        manifest.replace(sha(config).encode(), b"@H1@") + SEP + config)
    index = json.loads(open(os.path.join(base, "index.json"), "rb").read())
    m_desc = index["manifests"][0]
    m_bytes = open(os.path.join(base, "blobs/sha256", m_desc["digest"][7:]), "rb").read()
    m = json.loads(m_bytes)
    c_bytes = open(os.path.join(base, "blobs/sha256", m["config"]["digest"][7:]), "rb").read()
    m_text = m_bytes.replace(m["config"]["digest"].encode(), b"@D2@")
    m_text = m_text.replace(b'"size":%d' % len(c_bytes), b'"size":@S2@')
    i_text = json.dumps(index).encode().replace(m_desc["digest"].encode(), b"@D1@")
    i_text = i_text.replace(b'"size": %d' % m_desc["size"], b'"size": @S1@')
    put("image_metadata", "oci-hello-world.txt", i_text + SEP + m_text + SEP + c_bytes)
    # An index naming an index (nested), and a config alone.
    outer = json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "digest": "@D1@", "size": "@S1@"}]}).encode().replace(b'"@S1@"', b"@S1@")
    put("image_metadata", "oci-nested-index.txt",
        outer + SEP + i_text.replace(b"@D1@", b"@D2@").replace(b"@S1@", b"@S2@")
        + SEP + m_text.replace(b"@D2@", b"@D3@").replace(b"@S2@", b"@S3@") + SEP + c_bytes)


def rpm_headers():
    """Header blobs from the Amazon Linux 2023 rpmdb.sqlite fixture, smallest first."""
    db = sqlite3.connect(os.path.join(FIX, "rpm/amazonlinux-2023-sqlite/var/lib/rpm/rpmdb.sqlite"))
    rows = db.execute("SELECT hnum, blob FROM Packages ORDER BY length(blob)").fetchall()
    db.close()
    return [bytes(b) for _, b in rows]


def ndb(blobs):
    """Port of src/catalog/rpm/ndb.rs build::database."""
    page, blk, head, tail = 4096, 16, 16, 12
    out = bytearray(page)
    out[:4] = b"RpmP"
    out[12:16] = struct.pack("<I", 1)
    for s in range(32, page, 16):
        out[s:s + 4] = b"Slot"
    for i, b in enumerate(blobs):
        pkgidx = i + 1
        blkoff = len(out) // blk
        blkcnt = -(-(head + len(b) + tail) // blk)
        slot = 32 + i * 16
        out[slot + 4:slot + 16] = struct.pack("<III", pkgidx, blkoff, blkcnt)
        out += b"BlbS" + struct.pack("<III", pkgidx, 0, len(b)) + b
        out += bytes((blkoff + blkcnt) * blk - tail - len(out))
        out += struct.pack("<II", 0, len(b)) + b"BlbE"
    return bytes(out)


def sqlite_db(blobs):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "rpmdb.sqlite")
        db = sqlite3.connect(p)
        db.execute("PRAGMA page_size=1024")
        db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
        for b in blobs:
            db.execute("INSERT INTO Packages (blob) VALUES (?)", (b,))
        db.commit()
        db.execute("VACUUM")
        db.close()
        return open(p, "rb").read()


def rpm_seeds():
    headers = rpm_headers()
    small = [h for h in headers if len(h) < 20000 and b"gpg-pubkey" not in h]
    for i, h in enumerate(small[:4] + small[len(small) // 2:len(small) // 2 + 2]):
        put("rpm_header", "amazonlinux-2023-%d.hdr" % i, h)
    put("rpmdb", "sqlite-2-headers", b"\x00" + sqlite_db(small[:2]))
    put("rpmdb", "ndb-2-headers", b"\x01" + ndb(small[:2]))
    put("rpmdb", "bdb-fedora-epoch", b"\x02" + read("rpm/fedora-bdb-epoch/var/lib/rpm/Packages"))
    put("rpmdb", "bdb-ubi8-libuuid", b"\x02" + read("rpm/ubi8-bdb-libuuid/var/lib/rpm/Packages"))
    put("rpmdb", "mariner-manifest", b"\x03" + read(
        "rpm/cbl-mariner-2.0-distroless/var/lib/rpmmanifest/container-manifest-2")[:MAX - 1])


def text_seeds():
    for rel in ["deb/distroless-libsqlite3/var/lib/dpkg/status.d/libsqlite3-0",
                "deb/debian-12-arm64-status-d/var/lib/dpkg/status.d/coreutils-relationships"]:
        put("dpkg_status", os.path.basename(rel), read(rel))
    put("dpkg_status", "ubuntu-18.04-status", stanzas(
        read("deb/ubuntu-18.04-many/var/lib/dpkg/status"), 60000))
    for d in ["alpine-3.10-image", "alpine-3.11-image", "alpine-3.18-base", "tiny-musl-only"]:
        put("apk_installed", d, read("apk/%s/lib/apk/db/installed" % d))
    for rel in [
        "python/monotonic-1.6-wheel/site-packages/monotonic-1.6.dist-info/METADATA",
        "python/pygments-2.6.1-dist-info/site-packages/Pygments-2.6.1.dist-info/METADATA",
        "python/setuptools-51.3.3-egg-info/site-packages/setuptools-51.3.3.egg-info/PKG-INFO",
        "python/requests-2.22.0-egg-info/site-packages/requests-2.22.0-py3.8.egg-info/PKG-INFO",
    ]:
        put("python_metadata", rel.split("/")[1] + "-" + os.path.basename(rel), read(rel))
    npm = [(0, "npm/package-lock-v1/package-lock.json"), (0, "npm/package-lock-v2/package-lock.json"),
           (0, "npm/package-lock-v3/package-lock.json"), (0, "npm/probe/npm-11/package-lock.json"),
           (1, "npm/yarn-v1/yarn.lock"), (1, "npm/yarn-berry/yarn.lock"),
           (1, "npm/probe/yarn-1/yarn.lock"), (1, "npm/probe/yarn-4/yarn.lock"),
           (2, "npm/pnpm-v6/pnpm-lock.yaml"), (2, "npm/pnpm-v9/pnpm-lock.yaml"),
           (2, "npm/probe/pnpm-9/pnpm-lock.yaml")]
    for sel, rel in npm:
        data = read(rel)
        if len(data) < MAX - 1:
            put("npm_lock", rel.replace("/", "_"), bytes([sel]) + data)
    for p in [os.path.join(ROOT, "src/audit/default-policy.toml"),
              os.path.join(ROOT, "examples/audit-policy.toml")]:
        put("audit_policy", os.path.basename(p), open(p, "rb").read())
    put("dockerfile", "consign.Dockerfile", open(os.path.join(ROOT, "Dockerfile"), "rb").read())
    put("dockerfile", "multistage-heredoc.Dockerfile", b"""# syntax=docker/dockerfile:1
ARG BASE=debian:12
FROM ${BASE} AS build
RUN apt-get update && \\
    apt-get install -y curl
RUN <<EOF
set -e
curl -fsSL https://example.com/install.sh | sh
EOF
FROM gcr.io/distroless/static@sha256:0000000000000000000000000000000000000000000000000000000000000000
COPY --from=build /out /app
USER 65532:65532
ENTRYPOINT ["/app"]
""")
    sboms = 0
    for dirpath, _, files in sorted(os.walk(os.path.join(FIX, "sbom"))):
        for f in sorted(files):
            p = os.path.join(dirpath, f)
            if f.endswith(".md") or os.path.getsize(p) >= MAX or sboms >= 1_200_000:
                continue
            data = open(p, "rb").read()
            sboms += len(data)
            put("sbom_decode", f, data)


def elf_with_section(name, content):
    """A minimal ELF64 little-endian executable: a header, `content` in one section `name`
    (plus the section-name table), and one writable PT_LOAD segment covering it."""
    shstr = b"\0" + name + b"\0.shstrtab\0"
    ehsize, phsize, shsize = 64, 56, 64
    data_off = ehsize + phsize
    shstr_off = data_off + len(content)
    sh_off = (shstr_off + len(shstr) + 7) & ~7
    vaddr = 0x400000 + data_off
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh += struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, vaddr, ehsize, sh_off, 0,
                      ehsize, phsize, 1, shsize, 3, 2)
    ph = struct.pack("<IIQQQQQQ", 1, 6, data_off, vaddr, vaddr, len(content), len(content), 0x1000)
    body = eh + ph + content + shstr
    body += bytes(sh_off - len(body))
    sh0 = bytes(shsize)
    sh1 = struct.pack("<IIQQQQIIQQ", 1, 1, 3, vaddr, data_off, len(content), 0, 0, 16, 0)
    sh2 = struct.pack("<IIQQQQIIQQ", 1 + len(name) + 1, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)
    return body + sh0 + sh1 + sh2


def go_seeds():
    exe = read("go/binary-go1.22-replace/binary_with_module_replacement-linux-amd64")
    i = exe.find(b"\xff Go buildinf:")
    assert i >= 0
    # Go >= 1.18 inline strings: header (32) + varint-prefixed version and module info.
    j = i + 32
    strings = b""
    for _ in range(2):
        n, shift, k = 0, 0, j
        while True:
            b = exe[k]
            n |= (b & 0x7F) << shift
            shift += 7
            k += 1
            if b < 0x80:
                break
        strings += exe[j:k + n]
        j = k + n
    info = exe[i:i + 32] + strings
    info += bytes(-len(info) % 16)
    put("go_buildinfo", "go1.22-replace-buildinfo.elf", elf_with_section(b".go.buildinfo", info))
    # The same build info in a stripped file (no section table): found in the data segment.
    stripped = bytearray(elf_with_section(b".go.buildinfo", info))
    struct.pack_into("<Q", stripped, 0x28, 0)  # e_shoff
    struct.pack_into("<HH", stripped, 0x3C, 0, 0)  # e_shnum, e_shstrndx
    struct.pack_into("<H", stripped, 0x3A, 64)
    put("go_buildinfo", "go1.22-replace-stripped.elf", bytes(stripped))
    put("go_buildinfo", "buildinfo-bytes.bin", info)


def java_seeds():
    jar = read("java/jackson-annotations-2.15.0-rc2/jackson-annotations-2.15.0-rc2.jar")
    put("java_archive", "jackson-annotations.jar", jar)
    # A small jar of only the metadata, and a war nesting it (nested archive walk).
    z = zipfile.ZipFile(io.BytesIO(jar))
    small = io.BytesIO()
    with zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as out:
        for n in z.namelist():
            if n.startswith("META-INF/") and not n.endswith("/"):
                zi = zipfile.ZipInfo(n, date_time=(1980, 1, 1, 0, 0, 0))
                zi.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(zi, z.read(n))
    small = small.getvalue()
    put("java_archive", "jackson-annotations-meta.jar", small)
    war = io.BytesIO()
    with zipfile.ZipFile(war, "w", zipfile.ZIP_STORED) as out:
        out.writestr(zipfile.ZipInfo("META-INF/MANIFEST.MF", date_time=(1980, 1, 1, 0, 0, 0)),
                     b"Manifest-Version: 1.0\r\nImplementation-Title: app\r\n"
                     b"Implementation-Version: 1.0\r\n\r\n")
        out.writestr(zipfile.ZipInfo("WEB-INF/lib/jackson-annotations-2.15.0-rc2.jar",
                                     date_time=(1980, 1, 1, 0, 0, 0)), small)
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as i2:
            i2.writestr(zipfile.ZipInfo("lib/deep.jar", date_time=(1980, 1, 1, 0, 0, 0)), small)
        out.writestr(zipfile.ZipInfo("WEB-INF/lib/nest-1.0.jar", date_time=(1980, 1, 1, 0, 0, 0)),
                     inner.getvalue())
    put("java_archive", "app-nested.war", war.getvalue())


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    layer = layer_seeds()
    image_seeds(layer)
    rpm_seeds()
    text_seeds()
    go_seeds()
    java_seeds()
    total = 0
    for dirpath, _, files in os.walk(OUT):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    print("seeds: %d bytes" % total, file=sys.stderr)


if __name__ == "__main__":
    main()
