//! A small in-process OCI registry on 127.0.0.1 for the client tests: manifests, blobs,
//! uploads, the referrers API (switchable), Basic or Bearer-token auth, injected faults (429,
//! 5xx, 403), and a request log. Plain std: one thread per connection, `Connection: close`.
//!
//! It implements just enough of the distribution spec to be strict where the client must be
//! correct (digests of uploads, `OCI-Subject`, 404 error bodies) and records every request so
//! tests can assert what the client sent.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use base64::Engine as _;
use serde_json::{Value, json};

use super::image::sha256;

/// How clients must authenticate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    None,
    Basic { user: String, password: String },
    Bearer { user: String, password: String },
}

/// The registry's content and behaviour; tests reach in through [`FakeRegistry::state`].
#[derive(Default)]
pub struct State {
    pub blobs: HashMap<String, Vec<u8>>,
    /// (repo, tag or digest) → (media type, bytes).
    pub manifests: HashMap<(String, String), (String, Vec<u8>)>,
    pub referrers_api: bool,
    pub auth: Option<Auth>,
    /// Statuses to answer the next requests with (then normal service resumes).
    pub faults: VecDeque<u16>,
    /// Answer 403 to every push.
    pub deny_push: bool,
    /// Serve these bytes instead of the stored ones for this blob digest.
    pub corrupt_blob: Option<(String, Vec<u8>)>,
    /// Announce this digest instead of the real one for manifests fetched by tag.
    pub lie_about_digest: Option<String>,
    /// "METHOD path?query" of every request, in order.
    pub log: Vec<String>,
    /// Token requests: the `scope` asked for and whether credentials came with it.
    pub token_requests: Vec<(String, bool)>,
    uploads: u64,
}

pub struct FakeRegistry {
    pub addr: String,
    pub state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

struct Req {
    method: String,
    path: String,
    query: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn new(status: u16) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
    fn header(mut self, k: &str, v: impl Into<String>) -> Resp {
        self.headers.push((k.into(), v.into()));
        self
    }
    fn body(mut self, b: Vec<u8>) -> Resp {
        self.body = b;
        self
    }
    fn error(status: u16, code: &str, message: &str) -> Resp {
        Resp::new(status)
            .header("Content-Type", "application/json")
            .body(
                serde_json::to_vec(&json!({"errors": [{"code": code, "message": message}]}))
                    .unwrap(),
            )
    }
}

impl FakeRegistry {
    /// Starts a registry on a free 127.0.0.1 port.
    pub fn start() -> FakeRegistry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp, a) = (state.clone(), stop.clone(), addr.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (st, a) = (st.clone(), a.clone());
                thread::spawn(move || serve(conn, &st, &a));
            }
        });
        FakeRegistry { addr, state, stop }
    }

    /// Locks the state.
    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// Stores an OCI layout's content in `repo`, tagging what its index.json names first.
    pub fn load_layout(&self, repo: &str, tag: &str, files: &[(String, Vec<u8>)]) {
        let mut st = self.state();
        let mut index = None;
        for (path, bytes) in files {
            if path == "index.json" {
                index = Some(serde_json::from_slice::<Value>(bytes).unwrap());
                continue;
            }
            let Some(hex) = path.strip_prefix("blobs/sha256/") else {
                continue;
            };
            let digest = format!("sha256:{hex}");
            st.blobs.insert(digest.clone(), bytes.clone());
            if let Ok(v) = serde_json::from_slice::<Value>(bytes)
                && (v.get("manifests").is_some() || v.get("layers").is_some())
            {
                let mt = v["mediaType"].as_str().unwrap_or_default().to_owned();
                st.manifests
                    .insert((repo.into(), digest), (mt, bytes.clone()));
            }
        }
        let top = &index.expect("index.json")["manifests"][0];
        let digest = top["digest"].as_str().unwrap().to_owned();
        let entry = st.manifests[&(repo.to_owned(), digest)].clone();
        st.manifests.insert((repo.into(), tag.into()), entry);
    }

    /// Stores a manifest (under its digest and, when given, a tag); returns its digest.
    pub fn put_manifest(&self, repo: &str, tag: Option<&str>, doc: &Value) -> String {
        let bytes = serde_json::to_vec(doc).unwrap();
        let digest = sha256(&bytes);
        let mt = doc["mediaType"].as_str().unwrap_or_default().to_owned();
        let mut st = self.state();
        st.manifests
            .insert((repo.into(), digest.clone()), (mt.clone(), bytes.clone()));
        if let Some(t) = tag {
            st.manifests.insert((repo.into(), t.into()), (mt, bytes));
        }
        digest
    }

    /// Stores a blob; returns its descriptor fields (digest, size).
    pub fn put_blob(&self, bytes: &[u8]) -> (String, usize) {
        let d = sha256(bytes);
        self.state().blobs.insert(d.clone(), bytes.to_vec());
        (d, bytes.len())
    }

    /// Requests seen so far whose log line starts with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.state()
            .log
            .iter()
            .filter(|l| l.starts_with(prefix))
            .count()
    }
}

impl Drop for FakeRegistry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.addr);
    }
}

fn read_request(conn: &mut TcpStream) -> Option<Req> {
    let mut r = BufReader::new(conn.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let (path, query) = target
        .split_once('?')
        .map_or((target.clone(), String::new()), |(p, q)| {
            (p.into(), q.into())
        });
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Req {
        method,
        path,
        query,
        headers,
        body,
    })
}

fn serve(mut conn: TcpStream, state: &Mutex<State>, addr: &str) {
    let Some(req) = read_request(&mut conn) else {
        // What an HTTP server answers a TLS handshake with.
        let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        return;
    };
    let resp = handle(&req, state, addr);
    let mut out = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        resp.status,
        resp.body.len()
    );
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let _ = conn.write_all(out.as_bytes());
    if req.method != "HEAD" {
        let _ = conn.write_all(&resp.body);
    }
    let _ = conn.flush();
}

fn query_param(q: &str, name: &str) -> Option<String> {
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| {
            v.replace("%3A", ":")
                .replace("%2C", ",")
                .replace("%2F", "/")
                .replace("%3a", ":")
        })
    })
}

fn handle(req: &Req, state: &Mutex<State>, addr: &str) -> Resp {
    let mut st = state.lock().unwrap();
    let line = if req.query.is_empty() {
        format!("{} {}", req.method, req.path)
    } else {
        format!("{} {}?{}", req.method, req.path, req.query)
    };
    st.log.push(line);
    if let Some(status) = st.faults.pop_front() {
        return Resp::error(status, "UNAVAILABLE", "injected fault").header("Retry-After", "0");
    }
    let auth = req
        .headers
        .get("authorization")
        .cloned()
        .unwrap_or_default();
    let basic_ok = |u: &str, p: &str| {
        auth == format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
        )
    };
    if req.path == "/token" {
        let scope = query_param(&req.query, "scope").unwrap_or_default();
        let sent = !auth.is_empty();
        st.token_requests.push((scope, sent));
        return match st.auth.clone() {
            Some(Auth::Bearer { user, password }) if !sent || basic_ok(&user, &password) => {
                // Anonymous tokens grant nothing (the registry then answers 401 again).
                let token = if sent {
                    "good-token"
                } else {
                    "anonymous-token"
                };
                Resp::new(200).body(serde_json::to_vec(&json!({"token": token})).unwrap())
            }
            _ => Resp::error(401, "UNAUTHORIZED", "bad credentials"),
        };
    }
    let repo_of = |p: &str| -> (String, String, String) {
        for sep in ["/manifests/", "/blobs/uploads/", "/blobs/", "/referrers/"] {
            if let Some(i) = p.find(sep) {
                return (
                    p["/v2/".len()..i].to_owned(),
                    sep.to_owned(),
                    p[i + sep.len()..].to_owned(),
                );
            }
        }
        (String::new(), String::new(), String::new())
    };
    let (repo, kind, rest) = repo_of(&req.path);
    match st.auth.clone() {
        Some(Auth::Basic { user, password }) if !basic_ok(&user, &password) => {
            return Resp::error(401, "UNAUTHORIZED", "authentication required")
                .header("WWW-Authenticate", "Basic realm=\"fake\"");
        }
        Some(Auth::Bearer { .. }) if auth != "Bearer good-token" => {
            let action = if req.method == "GET" || req.method == "HEAD" {
                "pull"
            } else {
                "pull,push"
            };
            return Resp::error(401, "UNAUTHORIZED", "authentication required").header(
                "WWW-Authenticate",
                format!("Bearer realm=\"http://{addr}/token\",service=\"fake\",scope=\"repository:{repo}:{action}\""),
            );
        }
        _ => {}
    }
    let push = !(req.method == "GET" || req.method == "HEAD");
    if push && st.deny_push {
        return Resp::error(403, "DENIED", "requested access to the resource is denied");
    }
    if req.path == "/v2/" {
        return Resp::new(200).body(b"{}".to_vec());
    }
    match (req.method.as_str(), kind.as_str()) {
        ("GET" | "HEAD", "/manifests/") => match st.manifests.get(&(repo.clone(), rest.clone())) {
            Some((mt, bytes)) => {
                let mut digest = sha256(bytes);
                if !rest.starts_with("sha256:")
                    && let Some(l) = &st.lie_about_digest
                {
                    digest = l.clone();
                }
                Resp::new(200)
                    .header("Content-Type", mt.clone())
                    .header("Docker-Content-Digest", digest)
                    .body(bytes.clone())
            }
            None => Resp::error(404, "MANIFEST_UNKNOWN", "manifest unknown"),
        },
        ("PUT", "/manifests/") => {
            let doc: Value = match serde_json::from_slice(&req.body) {
                Ok(v) => v,
                Err(_) => return Resp::error(400, "MANIFEST_INVALID", "not JSON"),
            };
            let digest = sha256(&req.body);
            if rest.starts_with("sha256:") && rest != digest {
                return Resp::error(400, "DIGEST_INVALID", "digest mismatch");
            }
            let mt = req.headers.get("content-type").cloned().unwrap_or_default();
            st.manifests
                .insert((repo.clone(), rest.clone()), (mt.clone(), req.body.clone()));
            st.manifests
                .insert((repo.clone(), digest.clone()), (mt, req.body.clone()));
            let mut r = Resp::new(201)
                .header("Docker-Content-Digest", digest.clone())
                .header("Location", format!("/v2/{repo}/manifests/{digest}"));
            if st.referrers_api
                && let Some(s) = doc["subject"]["digest"].as_str()
            {
                r = r.header("OCI-Subject", s);
            }
            r
        }
        ("GET" | "HEAD", "/blobs/") => {
            if let Some((d, bad)) = &st.corrupt_blob
                && *d == rest
            {
                return Resp::new(200).body(bad.clone());
            }
            match st.blobs.get(&rest) {
                Some(b) => Resp::new(200)
                    .header("Docker-Content-Digest", rest.clone())
                    .body(b.clone()),
                None => Resp::error(404, "BLOB_UNKNOWN", "blob unknown to registry"),
            }
        }
        ("POST", "/blobs/uploads/") => {
            st.uploads += 1;
            Resp::new(202).header(
                "Location",
                format!("/v2/{repo}/blobs/uploads/u{}?state=x", st.uploads),
            )
        }
        ("PUT", "/blobs/uploads/") => {
            let Some(d) = query_param(&req.query, "digest") else {
                return Resp::error(400, "DIGEST_INVALID", "no digest");
            };
            if sha256(&req.body) != d {
                return Resp::error(400, "DIGEST_INVALID", "digest mismatch");
            }
            st.blobs.insert(d.clone(), req.body.clone());
            Resp::new(201).header("Docker-Content-Digest", d)
        }
        ("GET", "/referrers/") if st.referrers_api => {
            let mut list = Vec::new();
            for ((r, reference), (mt, bytes)) in &st.manifests {
                if *r != repo || !reference.starts_with("sha256:") {
                    continue;
                }
                let doc: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
                if doc["subject"]["digest"].as_str() == Some(rest.as_str()) {
                    let mut d = json!({"mediaType": mt, "digest": reference, "size": bytes.len()});
                    if let Some(t) = doc.get("artifactType") {
                        d["artifactType"] = t.clone();
                    }
                    if let Some(a) = doc.get("annotations") {
                        d["annotations"] = a.clone();
                    }
                    list.push(d);
                }
            }
            list.sort_by_key(|d| d["digest"].as_str().unwrap_or_default().to_owned());
            Resp::new(200)
                .header("Content-Type", "application/vnd.oci.image.index.v1+json")
                .body(serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": list})).unwrap())
        }
        _ => Resp::error(404, "NOT_FOUND", "not found"),
    }
}
