//! Builds small, real container images in code, with no docker: the same image can be written
//! as a classic `docker save` tarball, a Docker 25+ `docker save` tarball (OCI layout inside,
//! manifest.json last), an OCI layout directory or an OCI layout tar, with plain, gzip or zstd
//! layers. Digests are computed for real, so every archive is one a real tool would accept —
//! unless a test asks for it to be tampered with.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// How a layer blob is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comp {
    None,
    Gzip,
    Zstd,
}

#[derive(Clone, Debug)]
enum Item {
    File(String, Vec<u8>, u32),
    Dir(String),
    Symlink(String, String),
    Hardlink(String, String),
    Whiteout(String),
    Opaque(String),
}

/// One layer.
#[derive(Clone, Debug)]
pub struct Layer {
    items: Vec<Item>,
    comp: Comp,
    created_by: String,
}

impl Layer {
    fn new() -> Self {
        Layer {
            items: Vec::new(),
            comp: Comp::Gzip,
            created_by: "/bin/sh -c #(nop) ADD file:0123 in / ".into(),
        }
    }

    /// A regular file (mode 0644), parent directories added implicitly by the path.
    pub fn file(mut self, path: &str, data: impl AsRef<[u8]>) -> Self {
        self.items
            .push(Item::File(path.into(), data.as_ref().to_vec(), 0o644));
        self
    }

    /// A regular file with a mode (e.g. 0o4755 for setuid).
    pub fn file_mode(mut self, path: &str, data: impl AsRef<[u8]>, mode: u32) -> Self {
        self.items
            .push(Item::File(path.into(), data.as_ref().to_vec(), mode));
        self
    }

    /// Copies a file from the test fixtures into the layer at `path`.
    pub fn fixture(self, path: &str, fixture: &str) -> Self {
        let data = std::fs::read(super::fixture(fixture)).unwrap();
        self.file(path, data)
    }

    /// A directory entry.
    pub fn dir(mut self, path: &str) -> Self {
        self.items.push(Item::Dir(path.into()));
        self
    }

    /// A symbolic link.
    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        self.items.push(Item::Symlink(path.into(), target.into()));
        self
    }

    /// A hard link to an earlier entry of this layer.
    pub fn hardlink(mut self, path: &str, target: &str) -> Self {
        self.items.push(Item::Hardlink(path.into(), target.into()));
        self
    }

    /// A whiteout deleting `path` from lower layers.
    pub fn whiteout(mut self, path: &str) -> Self {
        self.items.push(Item::Whiteout(path.into()));
        self
    }

    /// An opaque-directory marker in `dir`.
    pub fn opaque(mut self, dir: &str) -> Self {
        self.items.push(Item::Opaque(dir.into()));
        self
    }

    /// Compression of the blob (default gzip).
    pub fn comp(mut self, c: Comp) -> Self {
        self.comp = c;
        self
    }

    /// The history step that made the layer.
    pub fn created_by(mut self, s: &str) -> Self {
        self.created_by = s.into();
        self
    }

    /// The uncompressed tar.
    pub fn tar(&self) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for item in &self.items {
            let mut h = tar::Header::new_gnu();
            h.set_mtime(1_700_000_000);
            h.set_uid(0);
            h.set_gid(0);
            match item {
                Item::File(p, data, mode) => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(*mode);
                    h.set_size(data.len() as u64);
                    b.append_data(&mut h, p, &data[..]).unwrap();
                }
                Item::Dir(p) => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_mode(0o755);
                    h.set_size(0);
                    b.append_data(&mut h, format!("{p}/"), &[][..]).unwrap();
                }
                Item::Symlink(p, t) => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_mode(0o777);
                    h.set_size(0);
                    b.append_link(&mut h, p, t).unwrap();
                }
                Item::Hardlink(p, t) => {
                    h.set_entry_type(tar::EntryType::Link);
                    h.set_mode(0o644);
                    h.set_size(0);
                    b.append_link(&mut h, p, t).unwrap();
                }
                Item::Whiteout(p) => {
                    let (dir, name) = p.rsplit_once('/').map_or(("", p.as_str()), |(d, n)| (d, n));
                    let wh = if dir.is_empty() {
                        format!(".wh.{name}")
                    } else {
                        format!("{dir}/.wh.{name}")
                    };
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(0o644);
                    h.set_size(0);
                    b.append_data(&mut h, wh, &[][..]).unwrap();
                }
                Item::Opaque(d) => {
                    let wh = if d.is_empty() {
                        ".wh..wh..opq".to_string()
                    } else {
                        format!("{d}/.wh..wh..opq")
                    };
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(0o644);
                    h.set_size(0);
                    b.append_data(&mut h, wh, &[][..]).unwrap();
                }
            }
        }
        b.into_inner().unwrap()
    }

    fn blob(&self) -> Vec<u8> {
        compress(&self.tar(), self.comp)
    }

    fn media_type(&self) -> &'static str {
        match self.comp {
            Comp::None => "application/vnd.oci.image.layer.v1.tar",
            Comp::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Comp::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }
}

/// Compresses with the given method.
pub fn compress(data: &[u8], c: Comp) -> Vec<u8> {
    match c {
        Comp::None => data.to_vec(),
        Comp::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        Comp::Zstd => zstd::encode_all(data, 3).unwrap(),
    }
}

/// `sha256:<hex>` of the bytes.
pub fn sha256(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

fn hex_of(digest: &str) -> &str {
    digest.trim_start_matches("sha256:")
}

/// What to break, for integrity tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// Nothing.
    None,
    /// Flip a byte of layer `n`'s blob after its digests were recorded.
    LayerBlob(usize),
    /// Record a wrong diff_id for layer `n` in the config.
    DiffId(usize),
}

/// An image to write.
#[derive(Clone, Debug)]
pub struct ImageBuilder {
    layers: Vec<Layer>,
    tag: Option<String>,
    arch: String,
    variant: Option<String>,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    tamper: Tamper,
    config: Value,
    created: String,
    history: Option<Value>,
}

/// The blobs of one written image.
pub struct Written {
    pub config: (String, Vec<u8>),
    pub manifest: (String, Vec<u8>),
    /// Per layer: (blob digest, blob bytes, diff_id).
    pub layers: Vec<(String, Vec<u8>, String)>,
}

impl ImageBuilder {
    pub fn new() -> Self {
        ImageBuilder {
            layers: Vec::new(),
            tag: Some("example.com/test/app:1.0".into()),
            arch: "amd64".into(),
            variant: None,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            tamper: Tamper::None,
            config: json!({}),
            created: "2024-01-01T00:00:00Z".into(),
            history: None,
        }
    }

    /// The config's `created` time (default 2024-01-01T00:00:00Z).
    pub fn created(mut self, t: &str) -> Self {
        self.created = t.into();
        self
    }

    /// Replaces the generated history (one entry per layer plus a final empty-layer CMD)
    /// with these entries; entries without `empty_layer` must match the layers in number.
    pub fn history(mut self, h: Value) -> Self {
        self.history = Some(h);
        self
    }

    /// Adds a layer built by `f`.
    pub fn layer(mut self, f: impl FnOnce(Layer) -> Layer) -> Self {
        self.layers.push(f(Layer::new()));
        self
    }

    /// The image's name:tag (None: untagged).
    pub fn tag(mut self, t: Option<&str>) -> Self {
        self.tag = t.map(str::to_owned);
        self
    }

    /// The platform.
    pub fn arch(mut self, arch: &str, variant: Option<&str>) -> Self {
        self.arch = arch.into();
        self.variant = variant.map(str::to_owned);
        self
    }

    /// A config label.
    pub fn label(mut self, k: &str, v: &str) -> Self {
        self.labels.insert(k.into(), v.into());
        self
    }

    /// A manifest annotation.
    pub fn annotation(mut self, k: &str, v: &str) -> Self {
        self.annotations.insert(k.into(), v.into());
        self
    }

    /// Extra fields merged into the config's `config` object (User, Env, …).
    pub fn run_config(mut self, v: Value) -> Self {
        self.config = v;
        self
    }

    /// Breaks the image on purpose.
    pub fn tamper(mut self, t: Tamper) -> Self {
        self.tamper = t;
        self
    }

    /// Computes every blob.
    pub fn build(&self) -> Written {
        let mut layers = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            let tar = l.tar();
            let mut diff_id = sha256(&tar);
            let mut blob = compress(&tar, l.comp);
            let digest = sha256(&blob);
            if self.tamper == Tamper::LayerBlob(i) {
                let n = blob.len();
                blob[n - 1] ^= 0xff;
            }
            if self.tamper == Tamper::DiffId(i) {
                diff_id = sha256(b"not this layer");
            }
            layers.push((digest, blob, diff_id));
        }
        let mut run =
            json!({"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]});
        if !self.labels.is_empty() {
            run["Labels"] = json!(self.labels);
        }
        if let Value::Object(extra) = &self.config {
            for (k, v) in extra {
                run[k] = v.clone();
            }
        }
        let history = match &self.history {
            Some(h) => h.clone(),
            None => {
                let mut history: Vec<Value> = self
                    .layers
                    .iter()
                    .map(|l| json!({"created": "2024-01-01T00:00:00Z", "created_by": l.created_by}))
                    .collect();
                history.push(json!({"created": "2024-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop)  CMD [\"sh\"]", "empty_layer": true}));
                Value::Array(history)
            }
        };
        let mut config = json!({
            "architecture": self.arch,
            "os": "linux",
            "created": self.created,
            "config": run,
            "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.2.clone()).collect::<Vec<_>>()},
            "history": history,
        });
        if let Some(v) = &self.variant {
            config["variant"] = json!(v);
        }
        let config_bytes = serde_json::to_vec(&config).unwrap();
        let config_digest = sha256(&config_bytes);
        let mut manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_bytes.len()},
            "layers": self.layers.iter().zip(&layers).map(|(l, (d, b, _))| json!({"mediaType": l.media_type(), "digest": d, "size": b.len()})).collect::<Vec<_>>(),
        });
        if !self.annotations.is_empty() {
            manifest["annotations"] = json!(self.annotations);
        }
        let manifest_bytes = serde_json::to_vec(&manifest).unwrap();
        Written {
            config: (config_digest, config_bytes),
            manifest: (sha256(&manifest_bytes), manifest_bytes),
            layers,
        }
    }

    fn platform_json(&self) -> Value {
        let mut p = json!({"architecture": self.arch, "os": "linux"});
        if let Some(v) = &self.variant {
            p["variant"] = json!(v);
        }
        p
    }

    /// Writes a classic `docker save` archive (layers as `<id>/layer.tar`).
    pub fn write_docker_archive(&self, path: &Path) {
        write_docker_classic(&[self], path);
    }

    /// Writes a Docker 25+ `docker save` archive: an OCI layout plus manifest.json, which
    /// comes last.
    pub fn write_docker25_archive(&self, path: &Path) {
        let w = self.build();
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        files.push((
            "oci-layout".into(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ));
        files.push((
            format!("blobs/sha256/{}", hex_of(&w.config.0)),
            w.config.1.clone(),
        ));
        for (d, b, _) in &w.layers {
            files.push((format!("blobs/sha256/{}", hex_of(d)), b.clone()));
        }
        files.push((
            format!("blobs/sha256/{}", hex_of(&w.manifest.0)),
            w.manifest.1.clone(),
        ));
        let mut ann = json!({});
        if let Some(t) = &self.tag {
            ann["io.containerd.image.name"] = json!(format!("docker.io/{t}"));
            ann["org.opencontainers.image.ref.name"] = json!(t.rsplit(':').next().unwrap());
        }
        let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": w.manifest.0, "size": w.manifest.1.len(), "annotations": ann}]});
        files.push(("index.json".into(), serde_json::to_vec(&index).unwrap()));
        let manifest = json!([{
            "Config": format!("blobs/sha256/{}", hex_of(&w.config.0)),
            "RepoTags": self.tag.iter().collect::<Vec<_>>(),
            "Layers": w.layers.iter().map(|(d, _, _)| format!("blobs/sha256/{}", hex_of(d))).collect::<Vec<_>>(),
        }]);
        files.push((
            "manifest.json".into(),
            serde_json::to_vec(&manifest).unwrap(),
        ));
        write_tar(path, &files);
    }

    /// The OCI layout files (for a directory or a tar).
    pub fn oci_files(&self) -> Vec<(String, Vec<u8>)> {
        oci_layout(&[(self, true)])
    }

    /// Writes an OCI image layout directory.
    pub fn write_oci_dir(&self, dir: &Path) {
        write_dir(dir, &self.oci_files());
    }

    /// Writes an OCI image layout tar.
    pub fn write_oci_tar(&self, path: &Path) {
        write_tar(path, &self.oci_files());
    }
}

/// Writes a classic docker-save archive holding several images.
pub fn write_docker_classic(images: &[&ImageBuilder], path: &Path) {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut entries = Vec::new();
    for img in images {
        let w = img.build();
        let mut layer_paths = Vec::new();
        for (i, (_, _, diff_id)) in w.layers.iter().enumerate() {
            // Classic archives hold uncompressed layer tars named by a layer id.
            let id = hex_of(&sha256(format!("{diff_id}{}", w.config.0).as_bytes())).to_string();
            let mut tar_bytes = img.layers[i].tar();
            if img.tamper == Tamper::LayerBlob(i) {
                // The last byte is tar padding: the archive still parses, only the digest
                // shows the change.
                let n = tar_bytes.len();
                tar_bytes[n - 1] ^= 0xff;
            }
            files.push((format!("{id}/VERSION"), b"1.0".to_vec()));
            files.push((
                format!("{id}/json"),
                format!("{{\"id\":\"{id}\"}}").into_bytes(),
            ));
            files.push((format!("{id}/layer.tar"), tar_bytes));
            layer_paths.push(format!("{id}/layer.tar"));
        }
        files.push((format!("{}.json", hex_of(&w.config.0)), w.config.1.clone()));
        entries.push(json!({"Config": format!("{}.json", hex_of(&w.config.0)), "RepoTags": img.tag.iter().collect::<Vec<_>>(), "Layers": layer_paths}));
    }
    files.push((
        "manifest.json".into(),
        serde_json::to_vec(&json!(entries)).unwrap(),
    ));
    write_tar(path, &files);
}

/// OCI layout files for several images in one index (`true`: add a ref.name annotation).
pub fn oci_layout(images: &[(&ImageBuilder, bool)]) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    )];
    let mut manifests = Vec::new();
    for (img, named) in images {
        let w = img.build();
        files.push((
            format!("blobs/sha256/{}", hex_of(&w.config.0)),
            w.config.1.clone(),
        ));
        for (d, b, _) in &w.layers {
            files.push((format!("blobs/sha256/{}", hex_of(d)), b.clone()));
        }
        files.push((
            format!("blobs/sha256/{}", hex_of(&w.manifest.0)),
            w.manifest.1.clone(),
        ));
        let mut desc = json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": w.manifest.0, "size": w.manifest.1.len(), "platform": img.platform_json()});
        if *named && let Some(t) = &img.tag {
            desc["annotations"] = json!({"org.opencontainers.image.ref.name": t});
        }
        manifests.push(desc);
    }
    let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests});
    files.push(("index.json".into(), serde_json::to_vec(&index).unwrap()));
    files
}

/// A multi-platform OCI layout: index.json → one nested image index → one manifest per image.
pub fn oci_multi_platform(images: &[&ImageBuilder], tag: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    )];
    let mut manifests = Vec::new();
    for img in images {
        let w = img.build();
        files.push((
            format!("blobs/sha256/{}", hex_of(&w.config.0)),
            w.config.1.clone(),
        ));
        for (d, b, _) in &w.layers {
            files.push((format!("blobs/sha256/{}", hex_of(d)), b.clone()));
        }
        files.push((
            format!("blobs/sha256/{}", hex_of(&w.manifest.0)),
            w.manifest.1.clone(),
        ));
        manifests.push(json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": w.manifest.0, "size": w.manifest.1.len(), "platform": img.platform_json()}));
    }
    // A BuildKit-style attestation manifest, which must be ignored.
    manifests.push(json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(b"attestation"), "size": 11, "platform": {"architecture": "unknown", "os": "unknown"}, "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}));
    let nested = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests})).unwrap();
    let nested_digest = sha256(&nested);
    files.push((
        format!("blobs/sha256/{}", hex_of(&nested_digest)),
        nested.clone(),
    ));
    let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": nested_digest, "size": nested.len(), "annotations": {"org.opencontainers.image.ref.name": tag}}]});
    files.push(("index.json".into(), serde_json::to_vec(&index).unwrap()));
    files
}

/// Writes files into a tar, in the order given, with deterministic headers, each preceded by
/// entries for its parent directories (as `docker save` and skopeo write them; some readers,
/// Syft among them, need those).
pub fn write_tar(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut b = tar::Builder::new(std::fs::File::create(path).unwrap());
    let mut dirs = std::collections::BTreeSet::new();
    for (name, data) in files {
        let mut parent = String::new();
        for comp in name.split('/').collect::<Vec<_>>().split_last().unwrap().1 {
            parent.push_str(comp);
            parent.push('/');
            if dirs.insert(parent.clone()) {
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                h.set_mtime(0);
                b.append_data(&mut h, &parent, &[][..]).unwrap();
            }
        }
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        h.set_mtime(0);
        b.append_data(&mut h, name, &data[..]).unwrap();
    }
    b.finish().unwrap();
}

/// Writes files under a directory.
pub fn write_dir(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (name, data) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
}
