# Sourced by tests/run.sh: the peers the registry and attestation tests talk to, all on
# loopback, all stopped when the calling shell exits.
#
#   - a Python venv (target/e2e/venv) with the reference in-toto / securesystemslib libraries,
#     in-toto-attestation, the PyPI `oras` client and bcrypt (for the htpasswd file);
#   - Debian's docker-registry (the CNCF distribution server) twice: plain HTTP, and TLS (a
#     throwaway CA and a 127.0.0.1 certificate from openssl) with htpasswd basic auth;
#
# and exports CONSIGN_E2E_PYTHON, CONSIGN_E2E_REGISTRY, CONSIGN_E2E_REGISTRY_TLS,
# CONSIGN_E2E_REGISTRY_CA, CONSIGN_E2E_REGISTRY_USER and CONSIGN_E2E_REGISTRY_PASSWORD.
# Needs: $here (the repository), $e2e (target/e2e), docker-registry, openssl, python3-venv.

registry_pids=()
stop_registries() {
  local pid
  for pid in "${registry_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  registry_pids=()
}
trap stop_registries EXIT

# The Python packages, installed once per set of versions.
venv="$e2e/venv"
py_pkgs=(in-toto==3.1.0 securesystemslib[crypto]==1.6.0 in-toto-attestation==0.9.3 oras==0.2.43 bcrypt)
stamp="$venv/.consign-${py_pkgs[*]// /_}"
if [ ! -f "$stamp" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  echo "tests/run.sh: installing ${py_pkgs[*]} into $venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check "${py_pkgs[@]}" >"$e2e/pip.log" 2>&1 \
    || { tail -20 "$e2e/pip.log" >&2; exit 1; }
  touch "$stamp"
fi
export CONSIGN_E2E_PYTHON="$venv/bin/python"

free_port() {
  "$CONSIGN_E2E_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until the registry answers /v2/ (any HTTP status), or fails naming its log.
wait_registry() {
  local url="$1" log="$2" i
  for i in $(seq 1 100); do
    if "$CONSIGN_E2E_PYTHON" - "$url" "$3" <<'PY' 2>/dev/null; then return 0; fi
import ssl, sys, urllib.request, urllib.error
ctx = ssl.create_default_context(cafile=sys.argv[2]) if sys.argv[2] else None
try:
    urllib.request.urlopen(sys.argv[1], timeout=1, context=ctx)
except urllib.error.HTTPError:
    pass
PY
    sleep 0.1
  done
  echo "tests/run.sh: the registry at $url did not start:" >&2
  tail -20 "$log" >&2
  exit 1
}

regdir="$e2e/registry"
rm -rf "$regdir"
mkdir -p "$regdir"

# Plain HTTP, anonymous.
port="$(free_port)"
cat >"$regdir/plain.yml" <<YML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $regdir/plain-data}
  delete: {enabled: true}
http: {addr: 127.0.0.1:$port}
YML
docker-registry serve "$regdir/plain.yml" >"$regdir/plain.log" 2>&1 &
registry_pids+=($!)
export CONSIGN_E2E_REGISTRY="127.0.0.1:$port"

# TLS with a throwaway CA, and htpasswd basic auth.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=consign test CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign" \
  -keyout "$regdir/ca.key" -out "$regdir/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$regdir/server.key" -out "$regdir/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$regdir/server.ext"
openssl x509 -req -in "$regdir/server.csr" -CA "$regdir/ca.crt" -CAkey "$regdir/ca.key" \
  -CAcreateserial -days 2 -extfile "$regdir/server.ext" -out "$regdir/server.crt" 2>/dev/null
export CONSIGN_E2E_REGISTRY_USER="consign"
export CONSIGN_E2E_REGISTRY_PASSWORD="e2e-$RANDOM$RANDOM"
"$CONSIGN_E2E_PYTHON" -c 'import bcrypt, sys; print(sys.argv[1] + ":" + bcrypt.hashpw(sys.argv[2].encode(), bcrypt.gensalt(rounds=10)).decode())' \
  "$CONSIGN_E2E_REGISTRY_USER" "$CONSIGN_E2E_REGISTRY_PASSWORD" >"$regdir/htpasswd"
port="$(free_port)"
cat >"$regdir/tls.yml" <<YML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $regdir/tls-data}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$port
  tls: {certificate: $regdir/server.crt, key: $regdir/server.key}
auth:
  htpasswd: {realm: consign-e2e, path: $regdir/htpasswd}
YML
docker-registry serve "$regdir/tls.yml" >"$regdir/tls.log" 2>&1 &
registry_pids+=($!)
export CONSIGN_E2E_REGISTRY_TLS="127.0.0.1:$port"
export CONSIGN_E2E_REGISTRY_CA="$regdir/ca.crt"

wait_registry "http://$CONSIGN_E2E_REGISTRY/v2/" "$regdir/plain.log" ""
wait_registry "https://$CONSIGN_E2E_REGISTRY_TLS/v2/" "$regdir/tls.log" "$CONSIGN_E2E_REGISTRY_CA"
echo "tests/run.sh: registries on $CONSIGN_E2E_REGISTRY (http) and $CONSIGN_E2E_REGISTRY_TLS (https, basic auth)" >&2
