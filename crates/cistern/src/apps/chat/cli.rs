//! `cistern chat`: an interactive terminal chat. One line of stdin is one message; the reply
//! streams to stdout, notes (tool calls, errors) go to stderr.
//!
//! Two ways to reach the agents, one terminal loop: in process on the configured stores and
//! gateway ([`InProcess`], the account named by email), or against a running server
//! ([`Remote`]: `POST /api/v1/chat/stream` with an API key, the key's account).

use std::io::{BufRead, Write};

use anyhow::Context;
use cistern_agents::{Agents, TurnEvent};
use futures::StreamExt;
use futures::stream::BoxStream;

use crate::config::Config;

pub use super::remote::Remote;

/// What the terminal shows of a turn, whichever way it was sent.
#[derive(Debug, PartialEq)]
pub enum Shown {
    /// The turn's conversation (a new one's id arrives here first).
    Conversation(String),
    /// Reply text to append.
    Text(String),
    /// The model called a tool.
    Tool(String),
    /// The reply is complete and stored.
    Done,
    /// The turn failed; the message says why.
    Failed(String),
}

/// A stream of one turn's events.
pub type Turn = BoxStream<'static, Shown>;

/// The agents, in this process on the configured stores.
pub struct InProcess {
    agents: Agents,
    db: cistern_store::Db,
    owner: String,
}

impl InProcess {
    /// Opens the stores and gateway of `config` and chats as the account with `email`.
    pub async fn open(config: &Config, email: &str) -> anyhow::Result<Self> {
        use cistern_store::UserStore;
        let db = crate::app::open_db(config).await?;
        let user = db
            .user_by_email(&email.trim().to_lowercase())
            .await?
            .with_context(|| format!("no account with email {email}"))?;
        let llm = crate::platform::llm::cli::gateway(config)?;
        // Without a provider every turn would store the message and then fail: say so now.
        anyhow::ensure!(llm.is_configured(), cistern_llm::NOT_CONFIGURED);
        let agents = Agents::new(db.clone(), llm, config.chat.agents())
            .await
            .context("cannot start the chat agents")?;
        Ok(Self {
            agents,
            db,
            owner: user.id,
        })
    }

    fn send(&self, conversation: Option<&str>, message: &str, model: Option<&str>) -> Turn {
        match self
            .agents
            .send_stream(&self.owner, conversation, message, model)
        {
            Ok(turn) => turn
                .map(|event| match event {
                    Ok(TurnEvent::Started {
                        conversation_id, ..
                    }) => Shown::Conversation(conversation_id),
                    Ok(TurnEvent::Delta { text }) => Shown::Text(text),
                    Ok(TurnEvent::ToolCall { name }) => Shown::Tool(name),
                    Ok(TurnEvent::Done(_)) => Shown::Done,
                    Err(e) => Shown::Failed(e.to_string()),
                })
                .boxed(),
            Err(e) => futures::stream::once(async move { Shown::Failed(e.to_string()) }).boxed(),
        }
    }

    async fn close(self) {
        self.agents.shutdown().await;
        self.db.close().await;
    }
}

/// Where `cistern chat` sends its messages.
pub enum Target {
    /// In this process.
    InProcess(InProcess),
    /// A running server.
    Remote(Remote),
}

impl Target {
    fn send(&self, conversation: Option<&str>, message: &str, model: Option<&str>) -> Turn {
        match self {
            Target::InProcess(local) => local.send(conversation, message, model),
            Target::Remote(remote) => remote.send(conversation, message, model),
        }
    }
}

/// Chats until stdin ends; `conversation` continues one.
pub async fn run(
    target: Target,
    mut conversation: Option<String>,
    model: Option<&str>,
) -> anyhow::Result<()> {
    // Stdin is read on a blocking thread (the runtime has no async stdin).
    let (tx, mut lines) = tokio::sync::mpsc::channel::<String>(1);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if tx.blocking_send(line).is_err() {
                return;
            }
        }
    });
    let mut out = std::io::stdout();
    while let Some(line) = lines.recv().await {
        if line.trim().is_empty() {
            continue;
        }
        let mut turn = target.send(conversation.as_deref(), &line, model);
        while let Some(shown) = turn.next().await {
            match shown {
                Shown::Conversation(id) => conversation = Some(id),
                Shown::Text(text) => {
                    write!(out, "{text}")?;
                    out.flush()?;
                }
                Shown::Tool(name) => eprintln!("[{name}]"),
                Shown::Done => writeln!(out)?,
                Shown::Failed(message) => {
                    writeln!(out)?;
                    eprintln!("error: {message}");
                }
            }
        }
    }
    if let Target::InProcess(local) = target {
        local.close().await;
    }
    Ok(())
}
