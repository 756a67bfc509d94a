//! Administration from the command line: accounts and API keys, on the same stores and with the
//! same rules and audit trail as the HTTP API.

use anyhow::{Context, anyhow};
use cistern_store::{Db, UserStore};
use serde_json::json;

use crate::config::Config;
use crate::http::error::ApiError;
use crate::platform::audit::{self, Action, Event, RequestContext};
use crate::platform::auth::credentials::{Email, Password, random_token};
use crate::platform::auth::keys::AuthKeys;
use crate::platform::auth::{Auth, routes, session};

/// An API error as a CLI error: its message is already written for people.
fn cli_error(error: ApiError) -> anyhow::Error {
    anyhow!("{}", error.message())
}

/// The CLI's audit context: no request, no address.
fn cli_context() -> RequestContext {
    RequestContext {
        request_id: None,
        ip: Some("cli".to_owned()),
    }
}

/// Creates an account; returns its id, its role and, when none was given, the generated password.
pub async fn create_user(
    config: &Config,
    email: &str,
    admin: bool,
    password: Option<String>,
) -> anyhow::Result<(String, String, Option<String>)> {
    let db = crate::app::open_db(config).await?;
    let email = Email::parse(email)?;
    let generated = password.is_none().then(random_token::<18>);
    let password = Password::parse(password.or_else(|| generated.clone()).unwrap_or_default())?;
    let user = session::register(&db, &email, &password, admin).await?;
    let event = Event {
        actor: None,
        action: Action::AuthRegister,
        target: Some(&user.id),
        success: true,
        metadata: json!({ "via": "cli", "role": user.role }),
    };
    audit::record(&db, &cli_context(), event).await?;
    db.close().await;
    Ok((user.id, user.role, generated))
}

/// Creates an API key for the user with `email`; returns the key.
pub async fn create_api_key(
    config: &Config,
    email: &str,
    name: &str,
    expires_in_days: Option<u32>,
) -> anyhow::Result<String> {
    let db: Db = crate::app::open_db(config).await?;
    let user = db
        .user_by_email(&email.trim().to_lowercase())
        .await?
        .with_context(|| format!("no account with email {email}"))?;
    let keys = AuthKeys::load(&db, &config.auth).await?;
    let auth = Auth::new(keys, &config.auth);
    let created = routes::create_api_key(&db, &auth, &user.id, name, expires_in_days)
        .await
        .map_err(cli_error)?;
    let event = Event {
        actor: None,
        action: Action::ApiKeyCreate,
        target: Some(&created.info.id),
        success: true,
        metadata: json!({ "via": "cli", "owner": user.id, "name": created.info.name }),
    };
    audit::record(&db, &cli_context(), event).await?;
    db.close().await;
    Ok(created.key)
}
