//! The live preview's two files with a security policy of their own (the shell page and the build
//! worker), and the app's own policy left exactly as strict as it was.

use crate::helpers::TestApp;

/// The app's Content-Security-Policy, spelled out: a change to it must be deliberate.
const APP_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; \
    frame-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

async fn headers(app: &TestApp, path: &str) -> (String, String) {
    let response = app.client.get(app.url(path)).send().await.expect("GET");
    let header = |name: &str| response.headers()[name].to_str().expect("ascii").to_owned();
    (header("content-security-policy"), header("x-frame-options"))
}

/// The directives of a policy, by name.
fn directives(csp: &str) -> Vec<(String, String)> {
    csp.split(';')
        .filter_map(|d| {
            let d = d.trim();
            let (name, value) = d.split_once(' ').unwrap_or((d, ""));
            (!name.is_empty()).then(|| (name.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

#[tokio::test]
async fn the_app_keeps_its_strict_policy_on_pages_assets_and_the_api() {
    let app = TestApp::spawn().await;
    for path in [
        "/",
        "/agent",
        "/preview-harness.html",
        "/assets/index-abc.js",
        "/assets/preview-builder.worker-abc/x.js",
        "/preview/shell.html.bak",
        "/api/v1/me",
    ] {
        let (csp, frame) = headers(&app, path).await;
        assert_eq!(csp, APP_CSP, "{path}");
        assert_eq!(frame, "DENY", "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_preview_shell_runs_inline_and_blob_scripts_with_no_network_framed_only_by_us() {
    let app = TestApp::spawn().await;
    let (csp, frame) = headers(&app, "/preview/shell.html").await;
    assert_eq!(frame, "SAMEORIGIN");
    let d = directives(&csp);
    let get = |name: &str| d.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    assert_eq!(get("default-src"), Some("'none'"), "{csp}");
    assert_eq!(get("script-src"), Some("'unsafe-inline' blob:"), "{csp}");
    assert_eq!(get("frame-ancestors"), Some("'self'"), "{csp}");
    // No network: nothing may connect, and no fetch directive names an origin or 'self'.
    assert_eq!(get("connect-src"), None, "{csp}");
    for (name, value) in &d {
        if name.ends_with("-src") {
            assert!(
                !value.contains("'self'") && !value.contains("http") && !value.contains('*'),
                "{name} {value}"
            );
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_preview_build_worker_alone_may_compile_webassembly() {
    let app = TestApp::spawn().await;
    let (csp, _) = headers(&app, "/assets/preview-builder.worker-6vX_TC-G.js").await;
    assert_eq!(
        csp,
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'"
    );
    let (other, _) = headers(&app, "/assets/esbuild-BaXVPFT2.wasm").await;
    assert!(!other.contains("wasm-unsafe-eval"), "{other}");
    app.stop().await;
}
