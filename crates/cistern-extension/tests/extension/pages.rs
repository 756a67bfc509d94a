//! Extension pages, scripts and the CSP: inline code, remote code, eval.

use cistern_extension::{ExtensionFile, validate};
use serde_json::json;

use crate::fixtures::{good, with, with_manifest};
use crate::validate::assert_error;

#[test]
fn inline_code_in_extension_pages_is_an_error() {
    let page = |body: &str| {
        with(
            good(),
            "popup/popup.html",
            format!(
                "<!doctype html><html><body>{body}<script src=\"popup.js\"></script></body></html>"
            ),
        )
    };
    let r = assert_error(
        &page("<script>\n  document.body.style.color = 'red';\n</script>"),
        "html.inline_script",
    );
    assert_eq!(
        r.errors().next().and_then(|f| f.file.as_deref()),
        Some("popup/popup.html")
    );
    assert_error(
        &page("<button id=b onclick=\"go()\">Go</button>"),
        "html.inline_handler",
    );
    assert_error(&page("<BODY ONLOAD='init()'>"), "html.inline_handler");
    assert_error(
        &page("<a href=\"javascript:go()\">go</a>"),
        "html.javascript_url",
    );
    // A data block and an empty script are not code; a sandboxed page may inline.
    assert!(
        !validate(&page(
            "<script type=\"application/json\">{\"a\": 1}</script><script>  </script>"
        ))
        .has_errors()
    );
    let mut sandboxed = with_manifest(|m| m["sandbox"] = json!({"pages": ["sandbox.html"]}));
    sandboxed.push(ExtensionFile::new(
        "sandbox.html",
        "<script>eval('1')</script><p onclick=\"x()\">",
    ));
    assert!(
        !validate(&sandboxed).has_errors(),
        "{:#?}",
        validate(&sandboxed).findings
    );
}

#[test]
fn remote_code_is_an_error() {
    let html = with(
        good(),
        "popup/popup.html",
        "<script src=\"https://remote.example.com/jquery.min.js\"></script><script src=\"popup.js\"></script><link rel=stylesheet href=popup.css>",
    );
    assert_error(&html, "html.remote_script");
    assert_error(
        &with(
            good(),
            "background.js",
            "importScripts('https://remote.example.com/lib.js');\n",
        ),
        "js.remote_import",
    );
    assert_error(
        &with(
            good(),
            "popup/popup.js",
            "import { x } from \"https://esm.sh/x\";\n",
        ),
        "js.remote_import",
    );
    assert_error(
        &with_manifest(|m| {
            m["content_scripts"][0]["js"] = json!(["https://remote.example.com/c.js"])
        }),
        "reference.remote",
    );
}

#[test]
fn eval_and_new_function_are_errors_but_not_in_comments_or_strings() {
    let r = assert_error(
        &with(
            good(),
            "content.js",
            "const x = 1;\nconst y = eval('x + 1');\n",
        ),
        "js.eval",
    );
    assert!(
        r.findings.iter().any(|f| f.message.contains("Line 2")),
        "{:#?}",
        r.findings
    );
    assert_error(
        &with(
            good(),
            "content.js",
            "const f = new Function('a', 'return a');",
        ),
        "js.new_function",
    );
    assert_error(
        &with(good(), "content.js", "setTimeout(\"alert(1)\", 10);"),
        "js.string_timer",
    );
    let innocent = "// we never eval() here\nconst s = \"new Function(\";\nconst evaluate = (x) => x; evaluate(1);\n/* eval( */\n";
    assert!(!validate(&with(good(), "content.js", innocent)).has_errors());
}

#[test]
fn a_devtools_panel_may_eval_in_the_inspected_page_but_not_globally() {
    let panel_js = "chrome.devtools.inspectedWindow.eval(\n  'document.title',\n  (title, error) => { document.body.textContent = error ? 'n/a' : title; }\n);\n";
    let mut manifest = crate::fixtures::good_manifest();
    manifest["devtools_page"] = json!("devtools.html");
    let page = |script: &str| {
        format!("<!doctype html><html><body><script src=\"{script}\"></script></body></html>")
    };
    let files = [
        ("manifest.json", crate::fixtures::pretty(&manifest)),
        ("devtools.html", page("devtools.js")),
        (
            "devtools.js",
            "chrome.devtools.panels.create('Title', '', 'panel.html');\n".to_owned(),
        ),
        ("panel.html", page("panel.js")),
        ("panel.js", panel_js.to_owned()),
    ]
    .into_iter()
    .fold(good(), |files, (path, content)| with(files, path, content));
    let report = validate(&files);
    assert!(!report.has_errors(), "{:#?}", report.findings);

    let global = with(files, "panel.js", format!("{panel_js}window.eval('1');\n"));
    let r = assert_error(&global, "js.eval");
    assert!(
        r.findings.iter().any(|f| f.message.contains("Line 5")),
        "{:#?}",
        r.findings
    );
}

#[test]
fn csp_and_web_accessible_resources_follow_mv3() {
    assert_error(
        &with_manifest(|m| {
            m["content_security_policy"]["extension_pages"] =
                json!("script-src 'self' 'unsafe-eval'; object-src 'self'")
        }),
        "csp.unsafe_eval",
    );
    assert_error(
        &with_manifest(|m| {
            m["content_security_policy"]["extension_pages"] =
                json!("script-src 'self' https://remote.example.com")
        }),
        "csp.remote_host",
    );
    assert_error(
        &with_manifest(|m| {
            m["content_security_policy"]["extension_pages"] = json!("default-src *")
        }),
        "csp.remote_host",
    );
    assert_error(
        &with_manifest(|m| m["web_accessible_resources"] = json!(["icons/icon16.png"])),
        "war.mv2_form",
    );
    assert_error(
        &with_manifest(|m| {
            m["web_accessible_resources"] = json!([{"resources": ["icons/icon16.png"]}])
        }),
        "war.invalid",
    );
    let ok = with_manifest(|m| {
        m["content_security_policy"]["extension_pages"] =
            json!("script-src 'self' 'wasm-unsafe-eval' http://localhost:5173; object-src 'self'")
    });
    assert!(!validate(&ok).has_errors(), "{:#?}", validate(&ok).findings);
}
