//! Names the git commit in `amo-intake --version`: `0.1.0 (a1b2c3d4e5f6)`.
//! Outside a git checkout (a source tarball, a copy) it falls back to
//! `AMO_INTAKE_COMMIT` from the environment, else to "unknown commit".

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// Reruns this script when a ref file changes. A ref packed into
/// `packed-refs` has no file of its own until the next commit writes one:
/// then its folder under `refs/` is watched (a missing path would rerun on
/// every build, and watching nothing would pin the old commit). A missing
/// `packed-refs` is not watched: its folder is the whole git directory.
fn watch_ref(p: &Path) {
    if p.exists() {
        println!("cargo:rerun-if-changed={}", p.display());
    } else if let Some(dir) = p
        .parent()
        .filter(|d| d.is_dir() && d.components().any(|c| c.as_os_str() == "refs"))
    {
        println!("cargo:rerun-if-changed={}", dir.display());
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=AMO_INTAKE_COMMIT");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    // Only a checkout of this repository counts, not a parent repository
    // the sources happen to sit in.
    let here = git(&["rev-parse", "--show-toplevel"]);
    let ours = here.as_deref().is_some_and(|top| {
        std::fs::canonicalize(top).ok() == std::fs::canonicalize(&manifest).ok()
    });
    let commit = if ours {
        // Rebuild when HEAD moves: HEAD itself, the branch it points to, and
        // packed-refs (worktrees keep these outside `.git/`).
        let mut watch = vec!["HEAD".to_string(), "packed-refs".to_string()];
        if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch.push(r);
        }
        for w in watch {
            if let Some(p) = git(&["rev-parse", "--git-path", &w]) {
                watch_ref(&Path::new(&manifest).join(p));
            }
        }
        git(&["rev-parse", "--short=12", "HEAD"])
    } else {
        // git failed (not installed, or it refused the directory) inside
        // what is still a checkout: watch its HEAD, or the fallback would be
        // cached until build.rs itself changes.
        let dot_git = Path::new(&manifest).join(".git");
        let head = dot_git.join("HEAD");
        if head.exists() {
            println!("cargo:rerun-if-changed={}", head.display());
            // A commit moves the branch HEAD names, not HEAD itself (a git
            // that failed once, say on a full disk, must not pin the
            // fallback until the branch is switched).
            let branch = std::fs::read_to_string(&head)
                .ok()
                .and_then(|h| h.strip_prefix("ref: ").map(|r| dot_git.join(r.trim())));
            for p in branch.into_iter().chain([dot_git.join("packed-refs")]) {
                watch_ref(&p);
            }
        } else if dot_git.exists() {
            println!("cargo:rerun-if-changed={}", dot_git.display());
        }
        println!("cargo:rerun-if-changed=build.rs");
        println!("cargo:rerun-if-env-changed=PATH");
        None
    };
    let commit = commit
        .or_else(|| {
            std::env::var("AMO_INTAKE_COMMIT")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| "unknown commit".into());
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=AMO_INTAKE_VERSION={version} ({commit})");
}
