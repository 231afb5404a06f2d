#!/usr/bin/env python3
"""The memory corpus of issue 8: images whose wanted files are as hostile as the default limits
allow (OCI layout dirs, plain tar layers, ~200 MB each). usage: gen.py OUTDIR [CASE...]"""
import hashlib, io, json, os, sys, struct, zipfile, sqlite3, tempfile, zlib

MB = 1 << 20

def hdr(name, size, kind=b'0', link=b'', mode=0o644):
    name = name.encode() if isinstance(name, str) else name
    link = link.encode() if isinstance(link, str) else link
    prefix = b''
    if len(name) > 100:
        i = name.rfind(b'/', 0, 155)
        prefix, name = name[:i], name[i + 1:]
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b'%07o\0' % mode
    h[108:116] = b'0000000\0'
    h[116:124] = b'0000000\0'
    h[124:136] = b'%011o\0' % size
    h[136:148] = b'%011o\0' % 1700000000
    h[148:156] = b' ' * 8
    h[156:157] = kind
    h[157:157 + len(link)] = link
    h[257:263] = b'ustar\0'
    h[263:265] = b'00'
    h[345:345 + len(prefix)] = prefix
    h[148:156] = b'%06o\0 ' % sum(h)
    return bytes(h)

class Blob:
    """A blob written to OUT/blobs/sha256 while hashed."""
    def __init__(self, out, gz=False):
        self.out, self.h, self.n = out, hashlib.sha256(), 0
        os.makedirs(f'{out}/blobs/sha256', exist_ok=True)
        self.f = tempfile.NamedTemporaryFile(dir=f'{out}/blobs', delete=False)
        self.gz = zlib.compressobj(6, zlib.DEFLATED, 31) if gz else None
        self.dh = hashlib.sha256()
    def write(self, b):
        self.dh.update(b)
        if self.gz:
            b = self.gz.compress(b)
        self.h.update(b); self.n += len(b); self.f.write(b)
    def close(self):
        if self.gz:
            b = self.gz.flush(); self.h.update(b); self.n += len(b); self.f.write(b)
        self.f.close()
        d = self.h.hexdigest()
        os.rename(self.f.name, f'{self.out}/blobs/sha256/{d}')
        return ('sha256:' + d, self.n, 'sha256:' + self.dh.hexdigest())

class Layer:
    def __init__(self, out, gz=False):
        self.b = Blob(out, gz)
    def file(self, name, chunks, size=None, mode=0o644):
        if isinstance(chunks, (bytes, str)):
            chunks = [chunks.encode() if isinstance(chunks, str) else chunks]
        chunks = list(chunks) if size is None else chunks
        if size is None:
            size = sum(len(c) for c in chunks)
        self.b.write(hdr(name, size, mode=mode))
        n = 0
        for c in chunks:
            self.b.write(c); n += len(c)
        assert n == size, (name, n, size)
        if size % 512:
            self.b.write(b'\0' * (512 - size % 512))
        return self
    def entry(self, name, kind, link=b''):
        self.b.write(hdr(name, 0, kind, link, 0o777 if kind == b'2' else 0o755))
        return self
    def close(self):
        self.b.write(b'\0' * 1024)
        return self.b.close()

def repeat(unit, total, head=b'', tail=b''):
    """head + unit repeated to `total` bytes + tail, as chunks; returns (chunks, size)."""
    unit = unit.encode() if isinstance(unit, str) else unit
    head = head.encode() if isinstance(head, str) else head
    tail = tail.encode() if isinstance(tail, str) else tail
    reps = (total - len(head) - len(tail)) // len(unit)
    block = unit * max(1, (MB // len(unit)))
    per = MB // len(unit) if len(unit) < MB else 1
    def gen():
        yield head
        left = reps
        while left >= per:
            yield block; left -= per
        if left:
            yield unit * left
        yield tail
    return gen(), len(head) + len(tail) + reps * len(unit)

def write_image(out, layers, history=None, config_extra=None):
    diff_ids = [l[2] for l in layers]
    cfg = {"architecture": "amd64", "os": "linux",
           "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    if history is not None:
        cfg["history"] = history
    if config_extra:
        cfg.update(config_extra)
    cb = Blob(out); cb.write(json.dumps(cfg).encode()); cd, cn, _ = cb.close()
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cn},
         "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if l[2] != l[0] else ""),
                     "digest": l[0], "size": l[1]} for l in layers]}
    mb = Blob(out); mb.write(json.dumps(m).encode()); md, mn, _ = mb.close()
    idx = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": mn}]}
    open(f'{out}/index.json', 'w').write(json.dumps(idx))
    open(f'{out}/oci-layout', 'w').write('{"imageLayoutVersion":"1.0.0"}')

def one_file(out, path, gen_size, mode=0o644):
    chunks, size = gen_size
    l = Layer(out).file(path, chunks, size, mode).close()
    write_image(out, [l])

BIG = 200 * MB
ARR = lambda head, tail: repeat(b'0,', BIG, head, tail)

def zip_bytes(entries, method=zipfile.ZIP_DEFLATED):
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, 'w', method) as z:
        for n, d in entries:
            z.writestr(n, d)
    return bio.getvalue()

CASES = {}
def case(f):
    CASES[f.__name__] = f; return f

# --- JSON lockfiles: one giant array of numbers (not packages) ---
@case
def npm_lock_array(o): one_file(o, 'app/package-lock.json', ARR('{"lockfileVersion":3,"x":[', '0],"packages":{"":{}}}'))
@case
def npm_lock_string(o): one_file(o, 'app/package-lock.json', repeat(b'A', BIG, '{"lockfileVersion":3,"packages":{"":{"name":"', '"}}}'))
@case
def npm_lock_objects(o): one_file(o, 'app/package-lock.json', repeat(b'{},', BIG, '{"lockfileVersion":3,"packages":{"":{"x":[', '{}]}}}'))
@case
def npm_lock_keys(o): one_file(o, 'app/package-lock.json', repeat(b'"k":1,', BIG, '{"lockfileVersion":3,"packages":{"":{', '"k":1}}}'))
@case
def npm_hidden_lock_array(o): one_file(o, 'app/node_modules/.package-lock.json', ARR('{"lockfileVersion":3,"x":[', '0],"packages":{}}'))
@case
def npm_package_json_array(o): one_file(o, 'app/node_modules/x/package.json', ARR('{"name":"x","version":"1.0.0","keywords":[', '0]}'))
@case
def composer_lock_array(o): one_file(o, 'app/composer.lock', ARR('{"packages":[],"x":[', '0]}'))
@case
def composer_installed_array(o): one_file(o, 'app/vendor/composer/installed.json', ARR('{"packages":[],"x":[', '0]}'))
@case
def pipfile_lock_array(o): one_file(o, 'app/Pipfile.lock', ARR('{"default":{},"x":[', '0]}'))
@case
def deps_json_array(o): one_file(o, 'app/app.deps.json', ARR('{"targets":{},"libraries":{},"x":[', '0]}'))
@case
def deps_json_keys(o): one_file(o, 'app/app.deps.json', repeat(b'"k":{},', BIG, '{"targets":{"t":{', '"k":{}}},"libraries":{}}'))
# --- TOML ---
@case
def cargo_lock_array(o): one_file(o, 'app/Cargo.lock', ARR('version = 3\nx = [', '0]\n'))
@case
def cargo_lock_string(o): one_file(o, 'app/Cargo.lock', repeat(b'A', BIG, 'version = 3\nx = "', '"\n'))
@case
def poetry_lock_array(o): one_file(o, 'app/poetry.lock', ARR('x = [', '0]\n'))
@case
def uv_lock_array(o): one_file(o, 'app/uv.lock', ARR('version = 1\nx = [', '0]\n'))
@case
def pyproject_array(o): one_file(o, 'app/pyproject.toml', ARR('[project]\nname = "x"\nversion = "1"\ndependencies = [', '"a"]\n'))
# --- YAML ---
@case
def pnpm_lock_array(o): one_file(o, 'app/pnpm-lock.yaml', ARR("lockfileVersion: '9.0'\nx: [", '0]\n'))
@case
def pnpm_lock_seq(o): one_file(o, 'app/pnpm-lock.yaml', repeat(b'- 0\n', BIG, "lockfileVersion: '9.0'\nx:\n", ''))
@case
def pnpm_lock_string(o): one_file(o, 'app/pnpm-lock.yaml', repeat(b'A', BIG, "lockfileVersion: '9.0'\nx: ", '\n'))
@case
def pnpm_hidden_lock_array(o): one_file(o, 'app/node_modules/.pnpm/lock.yaml', ARR("lockfileVersion: '9.0'\nx: [", '0]\n'))
# --- line formats ---
@case
def yarn_lock_deps(o): one_file(o, 'app/yarn.lock', repeat(b'    d "1"\n', BIG, 'a@^1:\n  version "1.0.0"\n  dependencies:\n', ''))
@case
def yarn_lock_line(o): one_file(o, 'app/yarn.lock', repeat(b'A', BIG, 'a@^1:\n  version "', '"\n'))
@case
def go_mod_lines(o): one_file(o, 'app/go.mod', repeat(b'// c\n', BIG, 'module x\n', ''))
@case
def go_mod_replace(o): one_file(o, 'app/go.mod', repeat(b'exclude a v1\n', BIG, 'module x\nrequire b v1.0.0\n', ''))
@case
def go_sum_lines(o):
    l = Layer(o).file('app/go.mod', 'module x\nrequire b v1.0.0\n')
    c, s = repeat(b'b v1.0.0 h1:x=\n', BIG)
    write_image(o, [l.file('app/go.sum', c, s).close()])
@case
def gemfile_lock_line(o): one_file(o, 'app/Gemfile.lock', repeat(b'A', BIG, 'GEM\n  specs:\n    a (1.0)\n      ', '\n'))
@case
def gemspec_big(o): one_file(o, 'usr/lib/ruby/gems/3.0.0/specifications/a-1.0.gemspec', repeat(b's.files = ["a"]\n', BIG, 'Gem::Specification.new do |s|\ns.name = "a"\ns.version = "1.0"\n', 'end\n'))
@case
def gemspec_line(o): one_file(o, 'usr/lib/ruby/gems/3.0.0/specifications/a-1.0.gemspec', repeat(b'A', BIG, 'Gem::Specification.new do |s|\ns.name = "a"\ns.version = "1.0"\ns.summary = "', '"\nend\n'))
@case
def requirements_line(o): one_file(o, 'app/requirements.txt', repeat(b'A', BIG, 'a==1.0 ; ', '\n'))
@case
def requirements_cont(o): one_file(o, 'app/requirements.txt', repeat(b' \\\n', BIG, 'a==1.0', '\n'))
@case
def pom_properties_big(o): one_file(o, 'app/META-INF/maven/g/a/pom.properties', repeat(b'k=v\n', BIG, 'groupId=g\nartifactId=a\nversion=1\n', ''))
@case
def dpkg_field(o): one_file(o, 'var/lib/dpkg/status', repeat(b'A', BIG, 'Package: ab\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nDescription: ', '\n'))
@case
def dpkg_cont(o): one_file(o, 'var/lib/dpkg/status', repeat(b' x\n', BIG, 'Package: ab\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nDescription: d\n', ''))
@case
def dpkg_conffiles(o): one_file(o, 'var/lib/dpkg/status', repeat(b' /etc/x 0123456789abcdef0123456789abcdef\n', BIG, 'Package: ab\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nConffiles:\n', ''))
@case
def dpkg_depends(o): one_file(o, 'var/lib/dpkg/status', repeat(b'b, ', BIG, 'Package: ab\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nDepends: ', 'b\n'))
@case
def dpkg_list(o):
    l = Layer(o).file('var/lib/dpkg/status', 'Package: ab\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n')
    c, s = repeat(b'/usr/share/x/yyyyyyyyyyyyyyyy\n', BIG)
    write_image(o, [l.file('var/lib/dpkg/info/ab.list', c, s).close()])
@case
def dpkg_copyright(o):
    l = Layer(o).file('var/lib/dpkg/status', 'Package: ab\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n')
    c, s = repeat(b'License: MIT\n', BIG)
    write_image(o, [l.file('usr/share/doc/ab/copyright', c, s).close()])
@case
def apk_line(o): one_file(o, 'lib/apk/db/installed', repeat(b'A', BIG, 'P:a\nV:1\nT:', '\n'))
@case
def apk_files(o): one_file(o, 'lib/apk/db/installed', repeat(b'R:f\n', BIG, 'P:a\nV:1\nF:usr\n', ''))
@case
def apk_depends(o): one_file(o, 'lib/apk/db/installed', repeat(b'b ', BIG, 'P:a\nV:1\nD:', 'b\n'))
@case
def metadata_headers(o): one_file(o, 'usr/lib/python3/site-packages/a-1.0.dist-info/METADATA', repeat(b'Requires-Dist: b\n', BIG, 'Metadata-Version: 2.1\nName: a\nVersion: 1.0\n', ''))
@case
def metadata_classifiers(o): one_file(o, 'usr/lib/python3/site-packages/a-1.0.dist-info/METADATA', repeat(b'Classifier: License :: OSI Approved :: MIT License\n', BIG, 'Metadata-Version: 2.1\nName: a\nVersion: 1.0\n', ''))
@case
def record_lines(o):
    l = Layer(o).file('usr/lib/python3/site-packages/a-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\nName: a\nVersion: 1.0\n')
    c, s = repeat(b'a/x.py,sha256=AAAA,1\n', BIG)
    write_image(o, [l.file('usr/lib/python3/site-packages/a-1.0.dist-info/RECORD', c, s).close()])
@case
def requires_txt(o):
    l = Layer(o).file('usr/lib/python3/site-packages/a-1.0.egg-info/PKG-INFO', 'Metadata-Version: 2.1\nName: a\nVersion: 1.0\n')
    c, s = repeat(b'b\n', BIG)
    write_image(o, [l.file('usr/lib/python3/site-packages/a-1.0.egg-info/requires.txt', c, s).close()])
@case
def jar_many_entries(o):
    ents = [('META-INF/MANIFEST.MF', b'Manifest-Version: 1.0\nImplementation-Title: a\nImplementation-Version: 1\n')]
    ents += [(f'c/{i}.class', b'') for i in range(300_000)]
    one_file(o, 'app/a.jar', ([zip_bytes(ents, zipfile.ZIP_STORED)], None) if False else _sz(zip_bytes(ents, zipfile.ZIP_STORED)))
@case
def jar_many_poms(o):
    ents = [(f'META-INF/maven/g{i}/a{i}/pom.properties', f'groupId=g{i}\nartifactId=a{i}\nversion=1\n'.encode()) for i in range(200_000)]
    one_file(o, 'app/a.jar', _sz(zip_bytes(ents)))
@case
def jar_big_manifest(o):
    mf = b'Manifest-Version: 1.0\nImplementation-Title: a\nImplementation-Version: 1\n' + b'X-K: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\n' * (BIG // 34)
    one_file(o, 'app/a.jar', _sz(zip_bytes([('META-INF/MANIFEST.MF', mf)])))
@case
def jar_manifest_cont(o):
    mf = b'Manifest-Version: 1.0\nImplementation-Title: a\nImplementation-Version: 1\nClass-Path: x\n' + b' x\n' * (BIG // 3)
    one_file(o, 'app/a.jar', _sz(zip_bytes([('META-INF/MANIFEST.MF', mf)])))
@case
def jar_cd_lies(o):
    # central directory claiming 65535 entries and a huge comment, nothing behind it
    z = zip_bytes([('META-INF/MANIFEST.MF', b'Manifest-Version: 1.0\n')])
    eocd = z.rfind(b'PK\x05\x06')
    z = z[:eocd + 8] + struct.pack('<HHII', 0xffff, 0xffff, 0xfffffff0, 0) + z[eocd + 20:]
    one_file(o, 'app/a.jar', _sz(z))
@case
def elf_shdrs(o):
    # ELF64 header claiming 65535 section headers of 64 bytes at an offset past the end,
    # plus one more with e_shentsize huge; Go build info magic present so it is sniffed.
    e = bytearray(b'\x7fELF\x02\x01\x01' + b'\0' * 9)
    e += struct.pack('<HHIQQQIHHHHHH', 2, 62, 1, 0x400000, 64, 0x100, 0, 64, 56, 0xffff, 64, 0xffff, 0xfffe)
    e += struct.pack('<IIQQQQQQ', 1, 5, 0, 0, 0, 0xffffffffffff, 0xffffffffffff, 0x1000)
    e += b'\0' * (0x100 - len(e))
    e += b'\xff Go buildinf:' + b'\x08\x02' + b'\0' * 16 + b'\x7fgo1.22\x7fpath\tx\nmod\tx\t(devel)\n' * 1
    e += b'\0' * (4 * MB)
    one_file(o, 'usr/bin/app', _sz(bytes(e)), mode=0o755)
@case
def elf_section_sizes(o):
    # A real-ish ELF: one section header table of 1000 sections each claiming 2^40 bytes.
    shoff = 4096
    e = bytearray(b'\x7fELF\x02\x01\x01' + b'\0' * 9)
    e += struct.pack('<HHIQQQIHHHHHH', 2, 62, 1, 0x400000, 0, shoff, 0, 64, 56, 0, 64, 1000, 1)
    e += b'\0' * (shoff - len(e))
    names = b'\0.go.buildinfo\0.note.go.buildid\0.rustc\0.dep-v0\0'
    for i in range(1000):
        e += struct.pack('<IIQQQQIIQQ', 1 + (i % 4) * 15 if i else 0, 1 if i != 1 else 3, 0, 0, 0x1000 if i != 1 else len(e) + 64 * (1000 - i), 1 << 40 if i != 1 else len(names), 0, 0, 1, 0)
    e += names
    one_file(o, 'usr/bin/app', _sz(bytes(e)), mode=0o755)
@case
def rpm_sqlite_blob(o):
    import sqlite3
    p = f'{o}.db'
    if os.path.exists(p): os.remove(p)
    db = sqlite3.connect(p)
    db.execute('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)')
    # rpm header: il, dl big-endian; claims 2^24 index entries and a 200 MB data store.
    il, dl = 0xffffff, 200 * MB
    h = struct.pack('>II', il, dl) + b'\0' * (200 * MB)
    db.execute('INSERT INTO Packages (blob) VALUES (?)', (h,))
    db.execute('INSERT INTO Packages (blob) VALUES (?)', (struct.pack('>II', 1, 0x7fffffff) + b'\0' * 64,))
    db.commit(); db.close()
    data = open(p, 'rb').read(); os.remove(p)
    one_file(o, 'var/lib/rpm/rpmdb.sqlite', _sz(data))
@case
def rpm_sqlite_rows(o):
    import sqlite3
    p = f'{o}.db'
    if os.path.exists(p): os.remove(p)
    db = sqlite3.connect(p)
    db.execute('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)')
    hdr_ = struct.pack('>II', 0, 0)
    db.executemany('INSERT INTO Packages (blob) VALUES (?)', ((hdr_,) for _ in range(2_000_000)))
    db.commit(); db.close()
    data = open(p, 'rb').read(); os.remove(p)
    one_file(o, 'var/lib/rpm/rpmdb.sqlite', _sz(data))
@case
def many_midsize(o):
    # 2,000 package-lock.json files of 600 KB each (1.2 GB total) over 4 layers
    body = b'{"lockfileVersion":3,"packages":{"":{"name":"' + b'A' * (600_000) + b'"}}}'
    ls = []
    for k in range(4):
        l = Layer(o)
        for i in range(500):
            l.file(f'app{k}/{i}/package-lock.json', body)
        ls.append(l.close())
    write_image(o, ls)
@case
def relayer_same_file(o):
    # 12 layers each re-adding the same 100 MB METADATA
    c = lambda: repeat(b'x', 100 * MB, 'Metadata-Version: 2.1\nName: a\nVersion: 1.0\nDescription: ', '\n')
    ls = []
    for k in range(12):
        ch, s = c()
        ls.append(Layer(o).file('usr/lib/python3/site-packages/a-1.0.dist-info/METADATA', ch, s).close())
    write_image(o, ls)
@case
def layers_1000(o):
    ls = [Layer(o).file(f'l/{i}', b'x').close() for i in range(1000)]
    write_image(o, ls, history=[{"created_by": f"RUN {i}"} for i in range(1000)])
@case
def layers_1001(o):
    ls = [Layer(o).file(f'l/{i}', b'x').close() for i in range(1001)]
    write_image(o, ls)
@case
def history_16m(o):
    l = Layer(o).file('etc/os-release', 'ID=alpine\n').close()
    # ~16 MB of history: many entries, empty_layer so they need not match layers
    hist = [{"created_by": "RUN " + "x" * 40, "empty_layer": True} for _ in range(195_000)]
    hist.append({"created_by": "ADD x"})
    write_image(o, [l], history=hist)
@case
def history_bad_count(o):
    l = Layer(o).file('etc/os-release', 'ID=alpine\n').close()
    hist = [{"created_by": "RUN x"} for _ in range(200_000)]
    write_image(o, [l], history=hist)
@case
def symlinks_100k(o):
    body = b'{"lockfileVersion":3,"packages":{"":{"name":"r","version":"1"},' + b','.join(b'"node_modules/p%d":{"version":"1.0.0"}' % i for i in range(2000)) + b'}}'
    l = Layer(o).file('real/package-lock.json', body)
    for i in range(100_000):
        l.entry(f's/{i}/package-lock.json', b'2', '/real/package-lock.json')
    write_image(o, [l.close()])
@case
def symlink_dirs_100k(o):
    body = b'{"lockfileVersion":3,"packages":{"":{"name":"r","version":"1"},' + b','.join(b'"node_modules/p%d":{"version":"1.0.0"}' % i for i in range(2000)) + b'}}'
    l = Layer(o).file('real/package-lock.json', body)
    for i in range(100_000):
        l.entry(f's{i}', b'2', '/real')
    write_image(o, [l.close()])
@case
def entries_10m(o):
    l = Layer(o, gz=True)
    for i in range(10_000_001):
        l.b.write(hdr(f'd/{i % 1000}/{i}', 0))
    write_image(o, [l.close()])
@case
def entries_9m(o):
    l = Layer(o, gz=True)
    for i in range(9_000_000):
        l.b.write(hdr(f'usr/share/some/longish/dir/{i % 1000}/file-{i}.txt', 0))
    write_image(o, [l.close()])

N2 = 1_990_000
@case
def npm_lock_2m(o): one_file(o, 'app/package-lock.json', repeat(b'0,', N2 * 2, '{"lockfileVersion":3,"x":[', '0],"packages":{"":{}}}'))
@case
def npm_lock_2m_objs(o): one_file(o, 'app/package-lock.json', repeat(b'{"a":[]},', N2 // 2 * 9, '{"lockfileVersion":3,"packages":{"":{"x":[', '{}]}}}'))
@case
def metadata_2m(o): one_file(o, 'usr/lib/python3/site-packages/a-1.0.dist-info/METADATA', repeat(b'Classifier: x\n', N2 * 14, 'Metadata-Version: 2.1\nName: a\nVersion: 1.0\n', ''))
@case
def apk_files_2m(o): one_file(o, 'lib/apk/db/installed', repeat(b'R:f\n', N2 * 4, 'P:a\nV:1\nF:usr\n', ''))
@case
def dpkg_depends_2m(o): one_file(o, 'var/lib/dpkg/status', repeat(b'b, ', N2 * 3, 'Package: ab\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nDepends: ', 'b\n'))
@case
def yarn_deps_2m(o): one_file(o, 'app/yarn.lock', repeat(b'    d "1"\n', N2 * 10, 'a@^1:\n  version "1.0.0"\n  dependencies:\n', ''))
@case
def cargo_lock_32m(o): one_file(o, 'app/Cargo.lock', repeat(b'A', (32 << 20) - 1, 'version = 3\nx = "', '"\n'))
@case
def cargo_lock_2m(o): one_file(o, 'app/Cargo.lock', repeat(b'0,', N2 * 2, 'version = 3\nx = [', '0]\n'))
@case
def cargo_lock_2m_tables(o): one_file(o, 'app/Cargo.lock', repeat(b'[a]\n', (32 << 20) - 64, 'version = 3\n', ''))
@case
def pom_2m(o): one_file(o, 'app/META-INF/maven/g/a/pom.properties', repeat(b'k=v\n', N2 * 4, 'groupId=g\nartifactId=a\nversion=1\n', ''))
@case
def dpkg_copyright_distinct(o):
    l = Layer(o).file('var/lib/dpkg/status', 'Package: ab\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n')
    body = b''.join(b'License: L%d\n' % i for i in range(1_000_000))
    write_image(o, [l.file('usr/share/doc/ab/copyright', body).close()])

@case
def entries_2m(o):
    l = Layer(o, gz=True)
    for i in range(2_000_000):
        l.b.write(hdr(f'usr/share/some/longish/dir/{i % 1000}/file-{i}.txt', 0))
    write_image(o, [l.close()])
@case
def entries_2x2m(o):
    ls = []
    for k in range(2):
        l = Layer(o, gz=True)
        for i in range(2_000_000):
            l.b.write(hdr(f'usr/share/some/longish/dir{k}/{i % 1000}/file-{i}.txt', 0))
        ls.append(l.close())
    write_image(o, ls)

@case
def npm_installed_99k(o):
    l = Layer(o)
    for i in range(99_000):
        deps = ",".join('"p%d":"1.0.0"' % ((i * 7 + k) % 99_000) for k in range(1, 6))
        l.file(f'app/node_modules/p{i}/package.json', '{"name":"p%d","version":"1.0.0","dependencies":{%s}}' % (i, deps))
    write_image(o, [l.close()])
@case
def dpkg_99k(o):
    body = "".join("Package: p%d\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nDepends: p%d, p%d (>= 1) | p%d, libc\nProvides: libc\n\n" % (i, (i+1) % 99_000, (i*7) % 99_000, (i*13) % 99_000) for i in range(99_000))
    one_file(o, 'var/lib/dpkg/status', _sz(body.encode()))
@case
def npm_lock_99k_deep(o):
    # 99k packages nested 99k deep in install paths: node_modules/p0/node_modules/p1/...
    parts = []
    path = ""
    for i in range(3000):
        path = (path + "/" if path else "") + f"node_modules/p{i}"
        parts.append('"%s":{"version":"1.0.0","dependencies":{"p%d":"1"}}' % (path, i + 1))
    body = '{"lockfileVersion":3,"packages":{"":{},%s}}' % ",".join(parts)
    one_file(o, 'app/package-lock.json', _sz(body.encode()))

@case
def ownership_square(o):
    # 2,000 dpkg packages all listing /app/package-lock.json, which declares 50,000 packages
    l = Layer(o)
    st = "".join("Package: d%d\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\n" % i for i in range(2000))
    l.file('var/lib/dpkg/status', st)
    for i in range(2000):
        l.file(f'var/lib/dpkg/info/d{i}.list', '/app\n/app/package-lock.json\n')
    body = '{"lockfileVersion":3,"packages":{"":{},%s}}' % ",".join('"node_modules/p%d":{"version":"1.0.0"}' % i for i in range(50_000))
    l.file('app/package-lock.json', body)
    write_image(o, [l.close()])

def _sz(b):
    return ([b], len(b))

if __name__ == '__main__':
    out = sys.argv[1]
    names = sys.argv[2:] or list(CASES)
    for n in names:
        d = f'{out}/{n}'
        if os.path.exists(f'{d}/index.json'):
            continue
        os.makedirs(d, exist_ok=True)
        CASES[n](d)
        print(n, flush=True)
