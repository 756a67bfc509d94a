//! Points the embedded web UI at `web/dist`, or at a placeholder page when the UI was not built
//! (so `cargo build` and `cargo test` work without Node; the README's commands build the UI).

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = manifest.join("../../web/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let dir = if dist.join("index.html").is_file() {
        dist
    } else {
        let out =
            PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("ui-placeholder");
        std::fs::create_dir_all(&out).expect("create OUT_DIR/ui-placeholder");
        std::fs::write(
            out.join("index.html"),
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Cistern</title></head>\
             <body><h1>Cistern</h1><p>The web UI was not built into this binary. \
             Run <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>, then rebuild.</p></body></html>",
        )
        .expect("write placeholder index.html");
        out
    };
    let dir = dir.canonicalize().unwrap_or(dir);
    println!("cargo:rustc-env=CISTERN_UI_DIR={}", dir.display());
}
