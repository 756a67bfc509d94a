//! `TestApp`: the real application on 127.0.0.1:0 with a temp data dir — SQLite and local blobs by
//! default, PostgreSQL and S3 when `CISTERN_TEST_SQL=postgres` / `CISTERN_TEST_BLOBS=s3` (so the
//! whole suite runs on both, see `scripts/test.sh`) or when a test asks for them.

use std::net::SocketAddr;
use std::time::Duration;

use cistern::Application;
use cistern::config::{BlobBackend, Config, Secret};
use cistern::state::AppState;
use cistern_store::{BlobConfig, testing};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A running application and a client for it.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// HTTP client without default timeouts beyond a sane bound.
    pub client: reqwest::Client,
    /// The application's state (stores, config) for white-box assertions.
    pub state: AppState,
    shutdown: CancellationToken,
    server: Option<JoinHandle<anyhow::Result<()>>>,
    /// Keeps the data dir alive as long as the app.
    pub data_dir: tempfile::TempDir,
}

/// A change to the configuration, applied before the app is built.
type ConfigTweak = Box<dyn FnOnce(&mut Config)>;

/// Options for [`TestApp`].
#[derive(Default)]
pub struct TestAppBuilder {
    postgres: Option<bool>,
    s3: Option<bool>,
    tweak: Option<ConfigTweak>,
    data_dir: Option<tempfile::TempDir>,
    handlers: Option<cistern::platform::jobs::Handlers>,
}

impl TestAppBuilder {
    /// Adjusts the configuration before the app is built.
    pub fn config(mut self, tweak: impl FnOnce(&mut Config) + 'static) -> Self {
        self.tweak = Some(Box::new(tweak));
        self
    }

    /// Registers job handlers beside the built-in ones (the app's worker runs them).
    pub fn handlers(mut self, handlers: cistern::platform::jobs::Handlers) -> Self {
        self.handlers = Some(handlers);
        self
    }

    /// Reuses a data dir (from [`TestApp::stop`]) to test what survives a restart.
    pub fn data_dir(mut self, dir: tempfile::TempDir) -> Self {
        self.data_dir = Some(dir);
        self
    }

    /// Runs on PostgreSQL and S3 regardless of the environment's defaults. Returns `None` when
    /// those servers are not available outside CI (the test then skips).
    pub fn scale_out(mut self) -> Self {
        self.postgres = Some(true);
        self.s3 = Some(true);
        self
    }

    /// Builds and starts the app; `None` only when a requested server is unavailable outside CI.
    pub async fn try_spawn(self) -> Option<TestApp> {
        let data_dir = match self.data_dir {
            Some(dir) => dir,
            None => tempfile::tempdir().expect("temp data dir"),
        };
        let mut config = Config {
            data_dir: data_dir.path().to_owned(),
            ..Config::default()
        };
        config.server.port = 0;
        config.log.level = "warn".to_owned();
        // Many tests sign in repeatedly from 127.0.0.1; the brute-force test sets its own limit.
        config.rate_limit.auth.burst = 10_000;
        if self
            .postgres
            .unwrap_or(testing::sql_from_env() == "postgres")
        {
            config.database.url = Secret::new(testing::fresh_postgres_url().await?);
        }
        if self.s3.unwrap_or(testing::blobs_from_env() == "s3") {
            let Some(BlobConfig::S3(s3)) = testing::fresh_s3_bucket().await else {
                return None;
            };
            config.blobs.backend = BlobBackend::S3;
            config.blobs.s3.endpoint = s3.endpoint;
            config.blobs.s3.bucket = s3.bucket;
            config.blobs.s3.access_key_id = s3.access_key_id;
            config.blobs.s3.secret_access_key = Secret::new(s3.secret_access_key);
        }
        if let Some(tweak) = self.tweak {
            tweak(&mut config);
        }
        let app = Application::build_with(config, self.handlers.unwrap_or_default())
            .await
            .expect("application builds");
        let addr = app.local_addr();
        let state = app.state().clone();
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(app.run_until_stopped(shutdown.clone()));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Some(TestApp {
            addr,
            client,
            state,
            shutdown,
            server: Some(server),
            data_dir,
        })
    }

    /// Builds and starts the app; panics if it cannot.
    pub async fn spawn(self) -> TestApp {
        self.try_spawn().await.expect("test app")
    }
}

impl TestApp {
    /// Default options.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    /// An app on the environment's default backends.
    pub async fn spawn() -> TestApp {
        Self::builder().spawn().await
    }

    /// Absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// Stops the server gracefully, checks it shut down cleanly, and hands back the data dir.
    pub async fn stop(mut self) -> tempfile::TempDir {
        self.shutdown.cancel();
        let server = self.server.take().expect("server running");
        let outcome = tokio::time::timeout(Duration::from_secs(10), server).await;
        outcome
            .expect("server stops within 10 s")
            .expect("server task")
            .expect("server ends without error");
        let placeholder = tempfile::tempdir().expect("temp dir");
        std::mem::replace(&mut self.data_dir, placeholder)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl TestApp {
    /// `method path` with `Authorization: Bearer <token>` and an optional JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }

    /// `method path` as `token`; asserts the status (the body is in the message) and returns
    /// the body as JSON (`Null` when there is none).
    pub async fn call_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
        status: u16,
    ) -> serde_json::Value {
        let response = self.call(method.clone(), path, Some(token), body).await;
        let got = response.status().as_u16();
        let text = response.text().await.expect("body");
        assert_eq!(got, status, "{method} {path}: {text}");
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    }

    /// `GET path` with a bearer token; the body as JSON.
    pub async fn get_json(&self, path: &str, token: &str) -> serde_json::Value {
        self.call(reqwest::Method::GET, path, Some(token), None)
            .await
            .json()
            .await
            .expect("JSON body")
    }

    /// Polls `GET /api/v1/jobs/{id}` until the job has ended (up to 60 s); its final view.
    pub async fn wait_job(&self, token: &str, job_id: &str) -> serde_json::Value {
        self.wait_job_within(token, job_id, std::time::Duration::from_secs(60))
            .await
    }

    /// [`TestApp::wait_job`] with a bound of its own (a job on the local model is slow).
    pub async fn wait_job_within(
        &self,
        token: &str,
        job_id: &str,
        within: std::time::Duration,
    ) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + within;
        // Quick at first, then at most twice a second (a long wait stays under the rate limit).
        let mut pause = std::time::Duration::from_millis(25);
        while tokio::time::Instant::now() < deadline {
            let job = self
                .get_json(&format!("/api/v1/jobs/{job_id}"), token)
                .await;
            if matches!(
                job["status"].as_str(),
                Some("succeeded" | "failed" | "dead" | "cancelled")
            ) {
                return job;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(std::time::Duration::from_millis(500));
        }
        panic!("job {job_id} did not end within {within:?}");
    }

    /// Registers `email` (password `correct horse battery`) and returns the token pair.
    pub async fn register(&self, email: &str) -> Session {
        let body = serde_json::json!({ "email": email, "password": PASSWORD });
        let response = self
            .call(
                reqwest::Method::POST,
                "/api/v1/auth/register",
                None,
                Some(body),
            )
            .await;
        assert_eq!(response.status(), 201, "register {email}");
        Session::from(
            response
                .json::<serde_json::Value>()
                .await
                .expect("token pair"),
        )
    }
}

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery";

/// A signed-in test user.
#[derive(Debug, Clone)]
pub struct Session {
    /// Access token.
    pub access: String,
    /// Refresh token.
    pub refresh: String,
    /// User id.
    pub user_id: String,
    /// Normalised email.
    pub email: String,
    /// Role.
    pub role: String,
}

impl From<serde_json::Value> for Session {
    fn from(v: serde_json::Value) -> Self {
        let s = |p: &str| {
            v.pointer(p)
                .and_then(|x| x.as_str())
                .unwrap_or_else(|| panic!("{p} in {v}"))
                .to_owned()
        };
        Session {
            access: s("/access_token"),
            refresh: s("/refresh_token"),
            user_id: s("/user/id"),
            email: s("/user/email"),
            role: s("/user/role"),
        }
    }
}

/// Asserts `response` is an error in the envelope with `status` and `code`; returns the message.
pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> String {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "content-type {content_type:?}"
    );
    let body: serde_json::Value = response.json().await.expect("JSON body");
    let error = &body["error"];
    assert_eq!(error["code"], code, "code in {body}");
    let message = error["message"]
        .as_str()
        .expect("message is a string")
        .to_owned();
    assert!(!message.is_empty(), "message is not empty");
    assert!(
        error.get("details").is_some(),
        "details present (may be null): {body}"
    );
    message
}

/// Asserts `response` is an error in OpenAI's shape (`/v1` routes) with `status` and Cistern's
/// `code`; returns the message.
pub async fn assert_openai_error(response: reqwest::Response, status: u16, code: &str) -> String {
    assert_eq!(response.status().as_u16(), status, "status");
    let body: serde_json::Value = response.json().await.expect("JSON body");
    let error = &body["error"];
    assert_eq!(error["code"], code, "code in {body}");
    for field in ["message", "type", "param"] {
        assert!(error.get(field).is_some(), "{field} in {body}");
    }
    let message = error["message"].as_str().expect("message").to_owned();
    assert!(!message.is_empty(), "message is not empty");
    message
}
