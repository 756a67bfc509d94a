//! The command line: one binary, roles as subcommands.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{LlmOverrides, LocalOverrides, Overrides, ServerOverrides};

/// Cistern — a self-hosted AI application server in one binary.
#[derive(Debug, Parser)]
#[command(name = "cistern", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (API, web UI) on the configured stores.
    Serve(ServeArgs),
    /// Chat in the terminal, in process (`--user`) or with a running server (`--server`): one
    /// line is one message.
    Chat(ChatArgs),
    /// Run job workers only (no HTTP) on the configured stores; stops gracefully on SIGTERM.
    Worker(ConfigArgs),
    /// Apply the embedded database migrations and exit.
    Migrate(ConfigArgs),
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Apikey(ApiKeyCommand),
    /// Run the stateless log scoring service (`POST /score`) on `scorer.host:scorer.port`.
    Scorer(ScorerArgs),
    /// Use the LLM gateway from the terminal, in process (same config and environment as serve).
    #[command(subcommand)]
    Llm(LlmCommand),
    /// Parse or score a log file with Sage's log engine, offline.
    #[command(subcommand)]
    Logs(LogsCommand),
    /// The code generator: extract files from a saved reply, or generate a project on a server.
    #[command(subcommand)]
    Codegen(CodegenCommand),
    /// The coding agent: apply a saved model reply's edits to a directory, all or nothing.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Print the OpenAPI document of the HTTP API.
    Openapi,
    /// Print the version.
    Version,
}

/// `cistern config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and print the effective values, secrets masked.
    Check(ConfigArgs),
}

/// `cistern user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account (works when registration is invite-only).
    Create {
        /// Config file and data dir.
        #[command(flatten)]
        config: ConfigArgs,
        /// Email address.
        #[arg(long)]
        email: String,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of stdin; otherwise one is generated and printed.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// `cistern apikey …`.
#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create an API key for a user and print it (shown this once).
    Create {
        /// Config file and data dir.
        #[command(flatten)]
        config: ConfigArgs,
        /// The owner's email.
        #[arg(long)]
        user: String,
        /// A name to recognise the key by.
        #[arg(long)]
        name: String,
        /// Days until the key stops working.
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
}

/// `cistern scorer`.
#[derive(Debug, Args)]
pub struct ScorerArgs {
    /// Config file and data dir.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Address to bind [default: scorer.host, 127.0.0.1].
    #[arg(long)]
    pub host: Option<IpAddr>,
    /// Port to bind; 0 picks a free one [default: scorer.port, 8090].
    #[arg(long)]
    pub port: Option<u16>,
}

/// `cistern llm …`.
#[derive(Debug, Subcommand)]
pub enum LlmCommand {
    /// List the configured models, their deployments and prices, and passthrough providers.
    Models {
        /// Config file and data dir.
        #[command(flatten)]
        config: ConfigArgs,
        /// Print JSON (with breaker state and counters) instead of a table.
        #[arg(long)]
        json: bool,
        /// A running server (`http://127.0.0.1:8080`) whose live circuit-breaker state to show
        /// next to each deployment (from its `/health/detailed`).
        #[arg(long, value_name = "URL")]
        server: Option<String>,
    },
    /// Send one prompt and stream the answer to stdout.
    Ask {
        /// Config file and data dir.
        #[command(flatten)]
        config: ConfigArgs,
        /// A configured model name, or any model of a provider set in the environment.
        model: String,
        /// A system prompt.
        #[arg(long)]
        system: Option<String>,
        /// The prompt (words are joined with spaces).
        #[arg(required = true)]
        prompt: Vec<String>,
    },
}

/// `cistern logs …`.
#[derive(Debug, Subcommand)]
pub enum LogsCommand {
    /// Detect the format, mine templates and print them (table, JSON, or loghub's CSV).
    Parse {
        /// The log file (plain or gzip); `-` reads stdin.
        file: PathBuf,
        /// What to print.
        #[arg(long, value_enum, default_value = "table")]
        output: crate::apps::sage::cli::ParseOutputFormat,
    },
    /// Send a log file (or stdin, continuously) to a Sage project on a running server,
    /// gzipped, in ingests of at most `--chunk-bytes`; prints each ingest's score.
    Push {
        /// The server (`http://127.0.0.1:8080`).
        #[arg(long, value_name = "URL")]
        server: String,
        /// API key (or access token) for the server.
        #[arg(long, env = "CISTERN_API_KEY", hide_env_values = true)]
        api_key: String,
        /// The Sage project's id.
        #[arg(long, value_name = "ID")]
        project: String,
        /// Most bytes of log text per ingest (keep it under the server's sage.max_ingest_bytes).
        #[arg(long, default_value_t = 4 * 1024 * 1024)]
        chunk_bytes: usize,
        /// With `-`: send what has arrived at least this often, in seconds.
        #[arg(long, default_value_t = 10)]
        every: u64,
        /// The log file (plain or gzip); `-` reads stdin until it closes.
        file: PathBuf,
    },
    /// Score the file's risk (0–100) with labels and the factors behind them.
    Score {
        /// The log file; `-` reads stdin.
        file: PathBuf,
        /// Print the whole report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `cistern agent …`.
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Apply the edits of a model's reply (SEARCH/REPLACE blocks, unified diffs, whole files)
    /// to a directory in place: every edit or none. Exits non-zero with the reasons, the
    /// directory untouched, when an edit does not apply exactly.
    ApplyEdit {
        /// The directory the reply's paths are relative to.
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// The reply, as saved from the model.
        #[arg(long, value_name = "FILE")]
        edit: PathBuf,
    },
}

/// `cistern codegen …`.
#[derive(Debug, Subcommand)]
pub enum CodegenCommand {
    /// Extract the files of a model's reply (Markdown fences or `{"files": [...]}`) into a
    /// directory, or exit non-zero with the reason and write nothing.
    Extract {
        /// The reply, as saved from the model.
        #[arg(long, value_name = "FILE")]
        reply: PathBuf,
        /// Where to write the files (required unless `--json`).
        #[arg(long, value_name = "DIR", required_unless_present = "json")]
        out: Option<PathBuf>,
        /// Print `{"files": {path: content}}` (or `{"error": kind}`) instead of writing.
        #[arg(long)]
        json: bool,
    },
    /// Generate a project on a running server, following its progress; writes the files
    /// under `--out`, or saves the ZIP and prints its path.
    Generate {
        /// What to build (words are joined with spaces).
        #[arg(required = true)]
        prompt: Vec<String>,
        /// A framework (`react-vite`, `fastapi`, …); detected from the prompt when absent.
        #[arg(long)]
        framework: Option<String>,
        /// A gateway model [default: the server's codegen.default_model].
        #[arg(long)]
        model: Option<String>,
        /// Where to write the files.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The server.
        #[arg(
            long,
            env = "CISTERN_SERVER",
            value_name = "URL",
            default_value = "http://127.0.0.1:8080"
        )]
        server: String,
        /// API key (or access token) for the server.
        #[arg(
            long,
            env = "CISTERN_API_KEY",
            value_name = "KEY",
            hide_env_values = true
        )]
        api_key: String,
    },
}

/// Where the configuration comes from.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// TOML config file.
    #[arg(long, env = "CISTERN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for embedded state (SQLite file, local blobs) [default: ./data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// `cistern chat`.
#[derive(Debug, Args)]
#[group(id = "who", required = true, args = ["user", "server"])]
pub struct ChatArgs {
    /// Config file and data dir.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// In process: chat as the account with this email, on the configured stores.
    #[arg(long, value_name = "EMAIL", conflicts_with = "server")]
    pub user: Option<String>,
    /// Chat with the running server at this URL (as the owner of `--api-key`).
    #[arg(long, value_name = "URL", requires = "api_key")]
    pub server: Option<String>,
    /// API key (or access token) for `--server`.
    #[arg(
        long,
        env = "CISTERN_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// Continue this conversation.
    #[arg(long)]
    pub conversation: Option<String>,
    /// Model [default: chat.default_model].
    #[arg(long)]
    pub model: Option<String>,
}

/// `cistern serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Config file and data dir.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Address to bind [default: 127.0.0.1].
    #[arg(long)]
    pub host: Option<IpAddr>,
    /// Port to bind; 0 picks a free one [default: 8080].
    #[arg(long)]
    pub port: Option<u16>,
    /// GGUF file of the built-in local model ([llm.local] model)
    /// [default: <data_dir>/models/smollm2-135m-instruct-q4_1.gguf when present].
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
}

impl ConfigArgs {
    /// The flags as the top configuration layer.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            data_dir: self.data_dir.clone(),
            server: ServerOverrides::default(),
            llm: LlmOverrides::default(),
        }
    }
}

impl ServeArgs {
    /// The flags as the top configuration layer.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            server: ServerOverrides {
                host: self.host,
                port: self.port,
            },
            llm: LlmOverrides {
                local: LocalOverrides {
                    model: self.model.clone(),
                },
            },
            ..self.config.overrides()
        }
    }
}
