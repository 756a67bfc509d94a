//! One Chromium run: launch, watch, poll, and always clean up.

use std::collections::VecDeque;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::{BrowserCheck, ChromiumOptions};

/// How often `/json/list` is polled.
const POLL: Duration = Duration::from_millis(100);
/// After the service worker shows up, how long to keep listening for an uncaught exception
/// before checking it is still listed (a worker that throws at top level is listed briefly
/// before it fails; under load for longer — 500 ms let a syntax error pass as loaded).
const SETTLE: Duration = Duration::from_millis(1_000);

/// What Chromium said: errors about the extension, and the last lines for diagnostics.
#[derive(Default)]
struct Log {
    errors: Vec<String>,
    tail: VecDeque<String>,
}

impl Log {
    fn record(&mut self, line: String) {
        if let Some(error) = extension_error(&line) {
            self.errors.push(error);
        } else if !line.trim().is_empty() && !line.contains("dbus") {
            if self.tail.len() == 5 {
                self.tail.pop_front();
            }
            self.tail.push_back(line);
        }
    }
}

/// Why the wait for the service worker ended without it.
enum Stop {
    /// The extension errors in the log say it all.
    Errors,
    /// Chromium exited (or could not be watched) — the check itself failed.
    Exited(String),
    /// Nothing happened in time.
    TimedOut(String),
}

#[derive(Deserialize)]
struct Target {
    #[serde(rename = "type")]
    kind: String,
    url: String,
}

pub(super) async fn run(dir: &Path, options: &ChromiumOptions) -> BrowserCheck {
    let started = Instant::now();
    let profile = match tempfile::Builder::new()
        .prefix("cistern-chromium-")
        .tempdir()
    {
        Ok(p) => p,
        Err(e) => {
            return BrowserCheck::NotChecked {
                reason: format!("cannot create a profile dir: {e}"),
            };
        }
    };
    let mut command = Command::new(&options.path);
    command
        .args(args(dir, profile.path()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) => {
            return BrowserCheck::NotChecked {
                reason: format!("cannot start {}: {e}", options.path.display()),
            };
        }
    };
    let log = Arc::new(Mutex::new(Log::default()));
    let reader = child.stderr.take().map(|stderr| {
        let log = Arc::clone(&log);
        // The handle is awaited below, after the browser is reaped (the reader then sees EOF).
        #[allow(clippy::disallowed_methods)]
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(mut log) = log.lock() {
                    log.record(line);
                }
            }
        })
    });
    let outcome = watch(&mut child, profile.path(), options, &log).await;
    // Cleanup on every path: kill by handle, reap, let the reader see EOF, drop the profile.
    // Cleanup is best effort: a browser that already exited cannot be killed, and one that
    // will not die within 10 s is left to `kill_on_drop`.
    child.start_kill().ok();
    tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .ok();
    if let Some(mut reader) = reader {
        // Chromium's helpers inherit stderr; should one outlive the browser, stop reading
        // rather than leave the task behind.
        if tokio::time::timeout(Duration::from_secs(5), &mut reader)
            .await
            .is_err()
        {
            reader.abort();
        }
    }
    drop(profile);
    let duration_ms = started.elapsed().as_millis() as u64;
    let (mut seen, tail) = log
        .lock()
        .map(|l| (l.errors.clone(), l.tail.clone()))
        .unwrap_or_default();
    match outcome {
        Ok((extension_id, service_worker_url)) if seen.is_empty() => BrowserCheck::Loaded {
            extension_id,
            service_worker_url,
            duration_ms,
        },
        Ok(_) => BrowserCheck::Failed {
            errors: seen,
            duration_ms,
        },
        // Chromium itself failed (sandbox, display, missing libraries): that says nothing
        // about the extension.
        Err(Stop::Exited(why)) if seen.is_empty() => BrowserCheck::NotChecked {
            reason: format!("{why}; its last log lines: {}", Vec::from(tail).join(" | ")),
        },
        Err(Stop::Errors) => BrowserCheck::Failed {
            errors: seen,
            duration_ms,
        },
        Err(Stop::Exited(why) | Stop::TimedOut(why)) => {
            seen.push(why);
            BrowserCheck::Failed {
                errors: seen,
                duration_ms,
            }
        }
    }
}

fn args(dir: &Path, profile: &Path) -> Vec<String> {
    let dir = dir.display();
    let mut args = vec![
        "--headless=new".to_owned(),
        format!("--user-data-dir={}", profile.display()),
        format!("--load-extension={dir}"),
        format!("--disable-extensions-except={dir}"),
        // Chrome 137+ ignores --load-extension unless this feature is off.
        "--disable-features=DisableLoadExtensionCommandLineSwitch".into(),
        "--remote-debugging-port=0".into(),
        "--remote-debugging-address=127.0.0.1".into(),
        "--no-first-run".into(),
        "--no-default-browser-check".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--enable-logging=stderr".into(),
        "--v=0".into(),
    ];
    // Chromium's sandbox refuses to run as root; anywhere else keep it.
    if running_as_root() {
        args.push("--no-sandbox".into());
    }
    args.push("about:blank".into());
    args
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Waits for the extension's service worker: `Ok((extension id, worker URL))`, or why not.
async fn watch(
    child: &mut Child,
    profile: &Path,
    options: &ChromiumOptions,
    log: &Mutex<Log>,
) -> Result<(String, String), Stop> {
    let deadline = Instant::now() + options.timeout;
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| Stop::Exited(format!("http client: {e}")))?;
    let mut port: Option<u16> = None;
    let has_errors = || log.lock().map(|l| !l.errors.is_empty()).unwrap_or(false);
    while Instant::now() < deadline {
        if has_errors() {
            return Err(Stop::Errors);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(Stop::Exited(format!("Chromium exited early ({status})")));
        }
        if port.is_none() {
            port = std::fs::read_to_string(profile.join("DevToolsActivePort"))
                .ok()
                .and_then(|s| s.lines().next().and_then(|l| l.trim().parse().ok()));
        }
        if let Some(port) = port
            && let Some(worker) = worker_target(&client, port).await
        {
            // A worker whose script throws at top level is listed while it evaluates, then
            // torn down; on a loaded machine that takes a while. Only a worker still listed
            // after SETTLE, with no error logged meanwhile, counts as started; otherwise keep
            // watching (the error or the timeout ends the wait).
            tokio::time::sleep(SETTLE).await;
            if has_errors() {
                return Err(Stop::Errors);
            }
            if worker_target(&client, port).await.as_deref() == Some(worker.as_str()) {
                let id = worker["chrome-extension://".len()..]
                    .split('/')
                    .next()
                    .unwrap_or("")
                    .to_owned();
                return Ok((id, worker));
            }
        }
        tokio::time::sleep(POLL).await;
    }
    Err(Stop::TimedOut(format!(
        "the extension's service worker did not start within {} s",
        options.timeout.as_secs()
    )))
}

/// The URL of the extension's service worker target, when DevTools lists one.
async fn worker_target(client: &reqwest::Client, port: u16) -> Option<String> {
    let url = format!("http://127.0.0.1:{port}/json/list");
    let targets: Vec<Target> = client.get(&url).send().await.ok()?.json().await.ok()?;
    targets
        .into_iter()
        .find(|t| t.kind == "service_worker" && t.url.starts_with("chrome-extension://"))
        .map(|t| t.url)
}

/// The error a Chromium log line reports about the extension, if any.
fn extension_error(line: &str) -> Option<String> {
    if let Some((_, error)) = line.split_once("Extension error: ") {
        return Some(error.trim().to_owned());
    }
    if line.contains(":CONSOLE")
        && line.contains("chrome-extension://")
        && line.contains("Uncaught")
    {
        // `[…:INFO:CONSOLE:1] "Uncaught SyntaxError: …", source: chrome-extension://id/bg.js (1)`
        let message = line.split_once("] ").map_or(line, |(_, m)| m);
        return Some(message.trim().to_owned());
    }
    if line.contains("Service worker registration failed") {
        return Some(
            line.split_once("] ")
                .map_or(line, |(_, m)| m)
                .trim()
                .to_owned(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::extension_error;

    #[test]
    fn load_errors_and_uncaught_exceptions_are_picked_from_the_log() {
        let load = "[1:1:1122/033232.915880:WARNING:extensions/browser/load_error_reporter.cc:73] Extension error: Failed to load extension from: /tmp/x. Required value 'version' is missing or invalid.";
        assert_eq!(
            extension_error(load).as_deref(),
            Some(
                "Failed to load extension from: /tmp/x. Required value 'version' is missing or invalid."
            )
        );
        let console = r#"[1:1:1122/033229.577132:INFO:CONSOLE:1] "Uncaught SyntaxError: Function statements require a function name", source: chrome-extension://abc/bg.js (1)"#;
        assert!(extension_error(console).is_some_and(|e| e.starts_with("\"Uncaught SyntaxError")));
        assert_eq!(
            extension_error("[1:1:ERROR:dbus/bus.cc:405] Failed to connect to the bus"),
            None
        );
    }
}
