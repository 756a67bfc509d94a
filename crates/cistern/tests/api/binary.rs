//! The `cistern` binary itself: `serve` prints its address and stops on SIGTERM; `config check`
//! layers file, environment and flags, rejects unknown keys by name, and masks secrets.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cistern");

/// `cistern` with a clean environment: no inherited `CISTERN_*` variables.
pub(crate) fn cistern() -> Command {
    let mut command = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("CISTERN_") {
            command.env_remove(key);
        }
    }
    command.env("CISTERN_LOG__LEVEL", "warn");
    command
}

#[tokio::test]
async fn serve_prints_its_address_answers_and_stops_on_sigterm() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut child = cistern()
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cistern serve");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let line = tokio::time::timeout(Duration::from_secs(30), line)
        .await
        .expect("ready within 30 s")
        .expect("join")
        .expect("read");
    let url = line
        .trim()
        .strip_prefix("cistern listening on ")
        .expect("the ready line")
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let health = reqwest::get(format!("{url}/health"))
        .await
        .expect("GET /health");
    assert_eq!(health.status(), 200);
    assert!(
        data.path().join("cistern.db").is_file(),
        "SQLite lives under --data-dir"
    );
    assert!(
        data.path().join("blobs").is_dir(),
        "local blobs live under --data-dir"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "stops within 10 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "graceful stop exits 0: {exit:?}");
}

fn config_check(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut command = cistern();
    command.args(["config", "check"]).args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("run config check");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn config_layers_file_then_env_then_flags() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("cistern.toml");
    std::fs::write(
        &file,
        "data_dir = \"/from/file\"\n[server]\nport = 7001\nrequest_timeout_secs = 11\n",
    )
    .expect("write");
    let file = file.to_str().expect("utf-8");

    let (ok, out, err) = config_check(&["--config", file], &[]);
    assert!(ok, "{err}");
    assert!(
        out.contains("port = 7001") && out.contains("data_dir = \"/from/file\""),
        "{out}"
    );

    let (ok, out, _) = config_check(
        &["--config", file],
        &[
            ("CISTERN_SERVER__PORT", "7002"),
            ("CISTERN_DATA_DIR", "/from/env"),
        ],
    );
    assert!(ok);
    assert!(
        out.contains("port = 7002") && out.contains("data_dir = \"/from/env\""),
        "env beats file: {out}"
    );
    assert!(
        out.contains("request_timeout_secs = 11"),
        "untouched file values stay: {out}"
    );

    let (ok, out, _) = config_check(
        &["--config", file, "--data-dir", "/from/flag"],
        &[("CISTERN_DATA_DIR", "/from/env")],
    );
    assert!(ok);
    assert!(
        out.contains("data_dir = \"/from/flag\""),
        "flags beat env: {out}"
    );

    let (ok, out, err) = config_check(&[], &[("CISTERN_RATE_LIMIT__AUTH__BURST", "1000")]);
    assert!(
        ok,
        "one key of a nested table can be overridden alone: {err}"
    );
    assert!(
        out.contains("burst = 1000") && out.contains("per_secs = 60"),
        "{out}"
    );
}

#[test]
fn unknown_keys_are_errors_that_name_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("cistern.toml");
    std::fs::write(&file, "[server]\nprot = 8080\n").expect("write");
    let (ok, _, err) = config_check(&["--config", file.to_str().expect("utf-8")], &[]);
    assert!(!ok);
    assert!(err.contains("prot"), "names the key: {err}");

    let (ok, _, err) = config_check(&[], &[("CISTERN_SERVER__PROTT", "1")]);
    assert!(!ok);
    assert!(err.contains("prott"), "names the env key: {err}");

    let (ok, _, err) = config_check(&["--config", "/no/such/file.toml"], &[]);
    assert!(!ok);
    assert!(err.contains("/no/such/file.toml"), "{err}");

    let (ok, _, err) = config_check(
        &[],
        &[(
            "CISTERN_SERVER__CORS_ALLOWED_ORIGINS",
            "[\"not an origin\"]",
        )],
    );
    assert!(!ok);
    assert!(err.contains("cors_allowed_origins"), "{err}");
}

#[test]
fn secrets_never_print() {
    let env = [
        ("CISTERN_BLOBS__BACKEND", "s3"),
        ("CISTERN_BLOBS__S3__BUCKET", "b"),
        ("CISTERN_BLOBS__S3__SECRET_ACCESS_KEY", "sekrit-s3-key"),
        (
            "CISTERN_DATABASE__URL",
            "postgres://app:sekrit-db-pw@db.internal/cistern",
        ),
    ];
    let (ok, out, err) = config_check(&[], &env);
    assert!(ok, "{err}");
    assert!(
        !out.contains("sekrit") && !err.contains("sekrit"),
        "{out}{err}"
    );
    assert!(
        out.contains("postgres://app:********@db.internal/cistern"),
        "{out}"
    );
    assert!(out.contains("secret_access_key = \"********\""), "{out}");
}

#[test]
fn migrate_and_version_work() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = cistern()
        .args(["migrate", "--data-dir"])
        .arg(data.path())
        .output()
        .expect("migrate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(data.path().join("cistern.db").is_file());
    let again = cistern()
        .args(["migrate", "--data-dir"])
        .arg(data.path())
        .output()
        .expect("migrate again");
    assert!(again.status.success(), "migrate is idempotent");

    let out = cistern().arg("version").output().expect("version");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("cistern {}", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn cli_creates_users_and_api_keys_that_the_server_accepts() {
    use std::io::Write as _;
    let data = tempfile::tempdir().expect("temp dir");
    // On the PostgreSQL pass, the CLI and the server share a fresh schema instead of the data dir.
    let db_url = if cistern_store::testing::sql_from_env() == "postgres" {
        cistern_store::testing::fresh_postgres_url().await
    } else {
        None
    };
    let cistern = || {
        let mut command = cistern();
        if let Some(url) = &db_url {
            command.env("CISTERN_DATABASE__URL", url);
        }
        command
    };
    let mut child = cistern()
        .args([
            "user",
            "create",
            "--email",
            "Ops@Example.com",
            "--admin",
            "--password-stdin",
            "--data-dir",
        ])
        .arg(data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn user create");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"operator password 1\n")
        .expect("write password");
    let out = child.wait_with_output().expect("user create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("created admin "));

    let weak = cistern()
        .args([
            "user",
            "create",
            "--email",
            "x@example.com",
            "--password-stdin",
            "--data-dir",
        ])
        .arg(data.path())
        .stdin(Stdio::piped())
        .output()
        .expect("weak");
    assert!(!weak.status.success(), "an empty password is refused");
    assert!(String::from_utf8_lossy(&weak.stderr).contains("10 to 128"));

    let generated = cistern()
        .args(["user", "create", "--email", "dev@example.com", "--data-dir"])
        .arg(data.path())
        .output()
        .expect("generated");
    let stdout = String::from_utf8_lossy(&generated.stdout).into_owned();
    let dev_password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("a generated password is printed")
        .to_owned();

    let out = cistern()
        .args([
            "apikey",
            "create",
            "--user",
            "ops@example.com",
            "--name",
            "deploy",
            "--data-dir",
        ])
        .arg(data.path())
        .output()
        .expect("apikey");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(key.starts_with("cst_"));
    let missing = cistern()
        .args([
            "apikey",
            "create",
            "--user",
            "nobody@example.com",
            "--name",
            "x",
            "--data-dir",
        ])
        .arg(data.path())
        .output()
        .expect("apikey");
    assert!(!missing.status.success());

    let shared_url = db_url.clone();
    let app = crate::helpers::TestApp::builder()
        .data_dir(data)
        .config(move |c| {
            if let Some(url) = shared_url {
                c.database.url = cistern::config::Secret::new(url);
            }
        })
        .spawn()
        .await;
    let me: serde_json::Value = app
        .call(reqwest::Method::GET, "/api/v1/me", Some(&key), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (me["email"].as_str(), me["role"].as_str()),
        (Some("ops@example.com"), Some("admin"))
    );
    let login = app
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(serde_json::json!({"email": "dev@example.com", "password": dev_password})),
        )
        .await;
    assert_eq!(login.status(), 200, "the generated password works");
    app.stop().await;
}
