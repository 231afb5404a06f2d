//! The image config's history turned into [`Step`]s, so that the instruction rules work
//! without the Dockerfile: the `RUN` lines are in `created_by` either way.
//!
//! Forms understood (the builders write different ones):
//! - classic builder and Buildah/Podman: `/bin/sh -c #(nop)  CMD ["bash"]` for metadata,
//!   `/bin/sh -c #(nop) ADD file:<hash> in /` for copies, `/bin/sh -c apt-get …` for `RUN`,
//!   with `|2 A=1 B=2 /bin/sh -c …` when build arguments were in scope;
//! - BuildKit: `RUN /bin/sh -c apt-get … # buildkit`, `RUN |1 A=1 /bin/sh -c … # buildkit`,
//!   `COPY app /app # buildkit`, `ADD https://… /x # buildkit`, and metadata as the bare
//!   instruction (`ENV A=b`, `USER app`, `EXPOSE map[22/tcp:{}]`, `CMD ["app"]`);
//! - kaniko and other tools: the bare instruction (`RUN apt-get …`, `COPY . /app`).
//!
//! Text that starts with no known keyword is taken as a `RUN` command. See
//! <https://github.com/opencontainers/image-spec/blob/main/config.md> (`history`).

use crate::source::ImageConfig;

use super::step::{Origin, Step, exec_form_script, split_flags};

const KEYWORDS: &[&str] = &[
    "RUN",
    "COPY",
    "ADD",
    "ENV",
    "ARG",
    "USER",
    "EXPOSE",
    "HEALTHCHECK",
    "CMD",
    "ENTRYPOINT",
    "LABEL",
    "WORKDIR",
    "VOLUME",
    "SHELL",
    "STOPSIGNAL",
    "ONBUILD",
    "MAINTAINER",
    "FROM",
];

/// Every history entry as a step (`in_base` still false; [`super::base`] sets it).
pub fn steps(config: &ImageConfig) -> Vec<Step> {
    let mut layer = 0u32;
    let mut out = Vec::with_capacity(config.history.len());
    for (index, h) in config.history.iter().enumerate() {
        let this_layer = if h.empty_layer {
            None
        } else {
            layer += 1;
            Some(layer - 1)
        };
        let raw = h.created_by.clone().unwrap_or_default();
        let (keyword, flags, args, build_args) = parse_created_by(&raw);
        out.push(Step {
            keyword,
            flags,
            args,
            build_args,
            raw,
            origin: Origin::History {
                index,
                layer: this_layer,
            },
            in_base: false,
            stage: 0,
            final_stage: true,
        });
    }
    out
}

type Parsed = (
    String,
    Vec<(String, Option<String>)>,
    String,
    Vec<(String, String)>,
);

/// Splits one `created_by` into keyword, flags, arguments and build arguments.
pub fn parse_created_by(raw: &str) -> Parsed {
    let mut s = raw.trim();
    if let Some(x) = s.strip_suffix("# buildkit") {
        s = x.trim_end();
    }
    // Classic metadata and copies: `/bin/sh -c #(nop) KEYWORD …`.
    if let Some(p) = s.find("#(nop)") {
        let rest = s[p + 6..].trim();
        let (kw, args) = split_keyword(rest);
        if let Some(kw) = kw {
            let (flags, args) = flags_for(&kw, args);
            return (kw, flags, args, Vec::new());
        }
        return ("RUN".into(), Vec::new(), rest.to_owned(), Vec::new());
    }
    let (kw, rest) = split_keyword(s);
    match kw.as_deref() {
        Some("RUN") | None => {
            let rest = if kw.is_some() { rest } else { s };
            let (build_args, rest) = split_build_args(rest);
            let (flags, rest) = split_flags(rest);
            let script = exec_form_script(&rest).unwrap_or_else(|| strip_shell(&rest).to_owned());
            ("RUN".into(), flags, script, build_args)
        }
        Some(k) => {
            let (flags, args) = flags_for(k, rest);
            (k.to_owned(), flags, args, Vec::new())
        }
    }
}

fn flags_for(kw: &str, args: &str) -> (Vec<(String, Option<String>)>, String) {
    match kw {
        "COPY" | "ADD" | "RUN" | "HEALTHCHECK" => split_flags(args),
        _ => (Vec::new(), args.trim().to_owned()),
    }
}

fn split_keyword(s: &str) -> (Option<String>, &str) {
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    let word = &s[..end];
    if KEYWORDS.contains(&word) {
        (Some(word.to_owned()), s[end..].trim_start())
    } else {
        (None, s)
    }
}

/// `|2 A=1 B=x /bin/sh -c …` → the build arguments and the rest. The count comes from the
/// image and is not trusted: reading stops at the first word that is not `NAME=value`.
fn split_build_args(s: &str) -> (Vec<(String, String)>, &str) {
    let Some(r) = s.strip_prefix('|') else {
        return (Vec::new(), s);
    };
    let end = r.find(char::is_whitespace).unwrap_or(r.len());
    let Ok(n) = r[..end].parse::<usize>() else {
        return (Vec::new(), s);
    };
    let mut rest = r[end..].trim_start();
    let mut args = Vec::new();
    while args.len() < n {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let Some((k, v)) = rest[..end].split_once('=') else {
            break;
        };
        args.push((k.to_owned(), v.to_owned()));
        rest = rest[end..].trim_start();
    }
    (args, rest)
}

/// Removes a leading shell invocation (`/bin/sh -c `, `/bin/bash -o pipefail -c `,
/// `sh -c `), keeping the script.
pub fn strip_shell(s: &str) -> &str {
    let s = s.trim_start();
    let first = s.split_whitespace().next().unwrap_or("");
    let shell = first.rsplit('/').next().unwrap_or("");
    if !matches!(shell, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh") {
        return s;
    }
    let mut rest = s[first.len()..].trim_start();
    loop {
        if let Some(r) = rest
            .strip_prefix("-c ")
            .or_else(|| rest.strip_prefix("-c\n"))
        {
            return r.trim_start();
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let tok = &rest[..end];
        if tok.starts_with('-') {
            // `-o pipefail` takes a value; `-eux`, `-ec` may end in c.
            if tok.ends_with('c') && tok.len() > 1 && !tok.starts_with("--") {
                return rest[end..].trim_start();
            }
            rest = rest[end..].trim_start();
            if tok == "-o" {
                let e = rest.find(char::is_whitespace).unwrap_or(rest.len());
                rest = rest[e..].trim_start();
            }
        } else {
            return s;
        }
    }
}

/// Ports named by an EXPOSE argument in any form: `22`, `22/tcp 80`, `map[22/tcp:{}]`.
pub fn exposed_ports(args: &str) -> Vec<(u16, String)> {
    let cleaned = args
        .replace("map[", " ")
        .replace([']', '{', '}'], " ")
        .replace(":", " ");
    cleaned
        .split_whitespace()
        .filter_map(|tok| {
            let (p, proto) = tok.split_once('/').unwrap_or((tok, "tcp"));
            let p = p.split('-').next().unwrap_or(p);
            p.parse::<u16>().ok().map(|n| (n, proto.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> (String, String, Vec<(String, String)>) {
        let (k, _, a, b) = parse_created_by(s);
        (k, a, b)
    }

    #[test]
    fn classic_forms() {
        assert_eq!(
            p("/bin/sh -c #(nop)  CMD [\"bash\"]"),
            ("CMD".into(), "[\"bash\"]".into(), vec![])
        );
        assert_eq!(
            p("/bin/sh -c #(nop) ADD file:abc in / "),
            ("ADD".into(), "file:abc in /".into(), vec![])
        );
        assert_eq!(
            p("/bin/sh -c apt-get update && apt-get install -y curl"),
            (
                "RUN".into(),
                "apt-get update && apt-get install -y curl".into(),
                vec![]
            )
        );
        assert_eq!(
            p("|2 TOKEN=abc V=1 /bin/sh -c pip install x"),
            (
                "RUN".into(),
                "pip install x".into(),
                vec![("TOKEN".into(), "abc".into()), ("V".into(), "1".into())]
            )
        );
    }

    #[test]
    fn buildkit_forms() {
        assert_eq!(
            p("RUN /bin/sh -c apt-get install -y curl # buildkit"),
            ("RUN".into(), "apt-get install -y curl".into(), vec![])
        );
        assert_eq!(
            p("RUN |1 PIP_VER=1 /bin/sh -c pip install a # buildkit"),
            (
                "RUN".into(),
                "pip install a".into(),
                vec![("PIP_VER".into(), "1".into())]
            )
        );
        assert_eq!(
            p("RUN /bin/bash -o pipefail -c curl x | sh # buildkit"),
            ("RUN".into(), "curl x | sh".into(), vec![])
        );
        assert_eq!(
            p("COPY app /app # buildkit"),
            ("COPY".into(), "app /app".into(), vec![])
        );
        assert_eq!(p("ENV A=b"), ("ENV".into(), "A=b".into(), vec![]));
        let (_, f, a, _) = parse_created_by("ADD --checksum=sha256:00 https://x/y /y # buildkit");
        assert_eq!(f, vec![("checksum".into(), Some("sha256:00".into()))]);
        assert_eq!(a, "https://x/y /y");
        assert_eq!(strip_shell("/bin/sh -ec echo"), "echo");
    }

    /// A hostile build-argument count must not loop for ever.
    // See: the audit review, finding 3 (`RUN |18446744073709551615 …`).
    #[test]
    fn a_huge_build_argument_count_is_bounded_by_the_words() {
        assert_eq!(
            p("RUN |18446744073709551615 A=1 /bin/sh -c echo hi # buildkit"),
            (
                "RUN".into(),
                "echo hi".into(),
                vec![("A".into(), "1".into())]
            )
        );
        assert_eq!(
            p("RUN |99999999999999999999999 A=1"),
            ("RUN".into(), "|99999999999999999999999 A=1".into(), vec![])
        );
    }

    #[test]
    fn ports() {
        assert_eq!(
            exposed_ports("map[22/tcp:{} 80/udp:{}]"),
            vec![(22, "tcp".into()), (80, "udp".into())]
        );
        assert_eq!(
            exposed_ports("8080 3389/tcp"),
            vec![(8080, "tcp".into()), (3389, "tcp".into())]
        );
    }
}
