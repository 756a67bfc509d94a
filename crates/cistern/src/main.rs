//! `cistern`: parse the command line, load config, dispatch. Everything else lives in the library.

use std::process::ExitCode;

use anyhow::Context;
use cistern::cli::{
    AgentCommand, ApiKeyCommand, Cli, CodegenCommand, Command, ConfigArgs, ConfigCommand,
    LlmCommand, LogsCommand, UserCommand,
};
use cistern::{Application, Config, config, telemetry};
use clap::Parser;
use tokio_util::sync::CancellationToken;

// A request allocates many small, short-lived buffers across worker threads: mimalloc serves
// them from thread-local pages, where glibc's malloc took ~18% of an authenticated request's CPU
// (perf, `scripts/bench_identity.py`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    small_pages_only();
    // What `#[tokio::main]` builds, spelt out so that the line above runs before the runtime's
    // threads exist and allocate.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(Cli::parse())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Turns transparent huge pages off for this process (`prctl(PR_SET_THP_DISABLE)`), first thing
/// in `main`.
///
/// mimalloc reserves a 1 GiB arena and, on Linux, commits it eagerly; where the kernel's THP
/// mode is `always` (Debian's default), the first touch of each 2 MiB of it is backed by a whole
/// huge page, so an idle server held 22 MiB of `AnonHugePages` for ~4 MiB of live heap
/// (`docs/benchmarks.md`). mimalloc's `allow_thp` and `arena_eager_commit` options would avoid
/// it, but mimalloc reads them when the process loads, before `main`: only its environment
/// variables reach them, and the binary should not depend on its environment for that. The flag
/// covers every allocator (SQLite's glibc arenas, thread stacks) and every later page fault.
///
/// Pages touched before `main` (the arena's first 4 MiB, as two huge pages) stay huge, so the
/// process sets the flag and executes itself again: the flag survives `exec`, and the new image
/// faults every page small. The second start costs a few milliseconds; it happens once (the flag
/// is then already set, as it is when a parent set it). Any failure (an old kernel, a seccomp
/// filter, no `/proc`) leaves the kernel's default: more memory, nothing worse.
fn small_pages_only() {
    #[cfg(target_os = "linux")]
    {
        use rustix::thread::{disable_transparent_huge_pages, transparent_huge_pages_are_disabled};
        use std::os::unix::process::CommandExt;
        if transparent_huge_pages_are_disabled().unwrap_or(true)
            || disable_transparent_huge_pages(true).is_err()
        {
            return;
        }
        let mut args = std::env::args_os();
        if let (Ok(exe), Some(arg0)) = (std::env::current_exe(), args.next()) {
            // `exec` returns only if it failed; this image then carries on as it is, with the
            // few huge pages it already has — nothing to report.
            let failed: std::io::Error =
                std::process::Command::new(exe).arg0(arg0).args(args).exec();
            drop(failed);
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
        Command::Worker(args) => {
            let config = load(&args, &args.overrides())?;
            telemetry::init(&config.log);
            let worker = cistern::platform::jobs::service::WorkerProcess::build(config).await?;
            let ready = format!("cistern worker running: {}", worker.describe());
            let shutdown = CancellationToken::new();
            let run = until_signal(&shutdown, worker.run_until_stopped(shutdown.clone()));
            // The line scripts and tests wait for, like `serve`'s.
            println!("{ready}");
            run.await
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
                cistern::platform::admin::create_user(&config, &email, admin, password).await?;
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
                cistern::platform::admin::create_api_key(&config, &user, &name, expires_in_days)
                    .await?;
            println!("{key}");
            eprintln!("(shown once: store it now)");
            Ok(())
        }
        Command::Scorer(args) => {
            let mut config = load(&args.config, &args.config.overrides())?;
            telemetry::init(&config.log);
            config.scorer.host = args.host.unwrap_or(config.scorer.host);
            config.scorer.port = args.port.unwrap_or(config.scorer.port);
            let service = cistern::apps::sage::service::ScorerService::build(&config).await?;
            println!(
                "cistern scorer listening on http://{}",
                service.local_addr()?
            );
            let shutdown = CancellationToken::new();
            until_signal(&shutdown, service.run_until_stopped(shutdown.clone())).await
        }
        Command::Llm(LlmCommand::Models {
            config,
            json,
            server,
        }) => {
            let config = load(&config, &config.overrides())?;
            let live = match server {
                Some(url) => Some(cistern::platform::llm::cli::live_health(&url).await?),
                None => None,
            };
            cistern::platform::llm::cli::models(
                &config,
                json,
                live.as_ref(),
                &mut std::io::stdout().lock(),
            )
        }
        Command::Chat(args) => {
            use cistern::apps::chat::cli::{InProcess, Remote, Target};
            let target = match (&args.server, &args.api_key, &args.user) {
                (Some(server), Some(key), _) => Target::Remote(Remote::connect(server, key).await?),
                (_, _, Some(email)) => {
                    let config = load(&args.config, &args.config.overrides())?;
                    Target::InProcess(InProcess::open(&config, email).await?)
                }
                _ => anyhow::bail!("say who chats: --user EMAIL, or --server URL with --api-key"),
            };
            cistern::apps::chat::cli::run(target, args.conversation, args.model.as_deref()).await
        }
        Command::Llm(LlmCommand::Ask {
            config,
            model,
            system,
            prompt,
        }) => {
            let config = load(&config, &config.overrides())?;
            let prompt = prompt.join(" ");
            let out = &mut std::io::stdout();
            cistern::platform::llm::cli::ask(&config, &model, system.as_deref(), &prompt, out).await
        }
        Command::Logs(command) => {
            let stdout = || std::io::stdout().lock();
            let result = match command {
                LogsCommand::Parse { file, output } => {
                    cistern::apps::sage::cli::parse(&file, output, &mut stdout())
                }
                LogsCommand::Score { file, json } => {
                    cistern::apps::sage::cli::score(&file, json, &mut stdout())
                }
                LogsCommand::Push {
                    server,
                    api_key,
                    project,
                    chunk_bytes,
                    every,
                    file,
                } => {
                    let args = cistern::apps::sage::push::PushArgs {
                        server,
                        api_key,
                        project,
                        file,
                        chunk_bytes: chunk_bytes.max(1_024),
                        every: std::time::Duration::from_secs(every.max(1)),
                    };
                    cistern::apps::sage::push::push(&args, &mut std::io::stderr()).await
                }
            };
            match result {
                Err(e) if cistern::apps::sage::cli::is_broken_pipe(&e) => Ok(()),
                other => other,
            }
        }
        Command::Agent(AgentCommand::ApplyEdit { dir, edit }) => {
            cistern::apps::agent::cli::apply_edit(&dir, &edit, &mut std::io::stdout().lock())
        }
        Command::Codegen(CodegenCommand::Extract { reply, out, json }) => {
            cistern::apps::codegen::cli::extract_reply(
                &reply,
                out.as_deref(),
                json,
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            )
        }
        Command::Codegen(CodegenCommand::Generate {
            prompt,
            framework,
            model,
            out,
            server,
            api_key,
        }) => {
            let args = cistern::apps::codegen::remote::GenerateArgs {
                server,
                api_key,
                prompt: prompt.join(" "),
                framework,
                model,
                out,
            };
            cistern::apps::codegen::remote::generate(&args, &mut std::io::stderr()).await
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
    let addr = app.local_addr();
    let shutdown = CancellationToken::new();
    let run = until_signal(&shutdown, app.run_until_stopped(shutdown.clone()));
    println!("cistern listening on http://{addr}");
    run.await
}

/// Drives `run` to its end; on SIGINT or SIGTERM cancels `shutdown` first so it drains.
/// The signal handlers are installed when this is called (before any ready line is printed).
fn until_signal<'a>(
    shutdown: &'a CancellationToken,
    run: impl Future<Output = anyhow::Result<()>> + 'a,
) -> impl Future<Output = anyhow::Result<()>> + 'a {
    let signal = shutdown_signal();
    async move {
        tokio::pin!(run);
        tokio::select! {
            result = &mut run => result,
            () = signal => {
                tracing::info!("shutdown signal received; draining in-flight requests");
                shutdown.cancel();
                run.await
            }
        }
    }
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled, so a signal sent right after a ready line is never missed.
fn shutdown_signal() -> impl Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let interrupt = signal(SignalKind::interrupt()).ok();
    let terminate = signal(SignalKind::terminate()).ok();
    async move {
        let wait = |s: Option<tokio::signal::unix::Signal>| async move {
            match s {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! { () = wait(interrupt) => {}, () = wait(terminate) => {} }
    }
}
