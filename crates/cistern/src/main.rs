//! `cistern`: parse the command line, load config, dispatch. Everything else lives in the library.

use std::process::ExitCode;

use anyhow::Context;
use cistern::cli::{ApiKeyCommand, Cli, Command, ConfigArgs, ConfigCommand, UserCommand};
use cistern::{Application, Config, config, telemetry};
use clap::Parser;
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let config = load(&args.config, &args.overrides())?;
            telemetry::init(&config.log);
            serve(config).await
        }
        Command::Migrate(args) => {
            let config = load(&args, &args.overrides())?;
            telemetry::init(&config.log);
            cistern::app::open_db(&config).await?.close().await;
            println!(
                "migrations applied to {}",
                config::mask_url_password(&config.database_url())
            );
            Ok(())
        }
        Command::Config(ConfigCommand::Check(args)) => {
            let config = load(&args, &args.overrides())?;
            print!("{}", config.to_masked_toml());
            eprintln!("config ok");
            Ok(())
        }
        Command::User(UserCommand::Create {
            config,
            email,
            admin,
            password_stdin,
        }) => {
            let config = load(&config, &config.overrides())?;
            telemetry::init(&config.log);
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("reading the password from stdin")?;
                Some(line.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let (id, role, generated) =
                cistern::admin::create_user(&config, &email, admin, password).await?;
            println!("created {role} {id}");
            if let Some(password) = generated {
                println!("password: {password}");
                eprintln!("(shown once: store it now)");
            }
            Ok(())
        }
        Command::Apikey(ApiKeyCommand::Create {
            config,
            user,
            name,
            expires_in_days,
        }) => {
            let config = load(&config, &config.overrides())?;
            telemetry::init(&config.log);
            let key =
                cistern::admin::create_api_key(&config, &user, &name, expires_in_days).await?;
            println!("{key}");
            eprintln!("(shown once: store it now)");
            Ok(())
        }
        Command::Openapi => {
            let doc = cistern::http::openapi::document();
            println!(
                "{}",
                serde_json::to_string_pretty(doc).context("serialising the OpenAPI document")?
            );
            Ok(())
        }
        Command::Version => {
            println!("cistern {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
    }
}

fn load(args: &ConfigArgs, overrides: &config::Overrides) -> anyhow::Result<Config> {
    Ok(config::load(
        args.config.as_deref(),
        std::env::vars(),
        overrides,
    )?)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    // The one line scripts and tests wait for: printed only once the socket accepts connections.
    println!("cistern listening on http://{}", app.local_addr());
    let shutdown = CancellationToken::new();
    let run = app.run_until_stopped(shutdown.clone());
    tokio::pin!(run);
    tokio::select! {
        result = &mut run => result,
        () = shutdown_signal() => {
            tracing::info!("shutdown signal received; draining in-flight requests");
            shutdown.cancel();
            run.await
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
}
