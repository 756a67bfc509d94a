//! `cistern chat`: an interactive terminal chat, in process on the configured stores and
//! gateway. One line of stdin is one message; the reply streams to stdout.

use std::io::{BufRead, Write};

use anyhow::Context;
use cistern_agents::{Agents, TurnEvent};
use cistern_store::UserStore;
use futures::StreamExt;

use crate::config::Config;

/// Chats as the account with `email` until stdin ends; `conversation` continues one.
pub async fn run(
    config: &Config,
    email: &str,
    mut conversation: Option<String>,
    model: Option<&str>,
) -> anyhow::Result<()> {
    let db = crate::app::open_db(config).await?;
    let user = db
        .user_by_email(&email.trim().to_lowercase())
        .await?
        .with_context(|| format!("no account with email {email}"))?;
    let owner = user.id.as_str();
    let llm = crate::llm::cli::gateway(config)?;
    let agents = Agents::new(db.clone(), llm, config.chat.agents())
        .await
        .context("cannot start the chat agents")?;
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
        let mut turn = agents.send_stream(owner, conversation.as_deref(), &line, model)?;
        while let Some(event) = turn.next().await {
            match event {
                Ok(TurnEvent::Started {
                    conversation_id, ..
                }) => conversation = Some(conversation_id),
                Ok(TurnEvent::Delta { text }) => {
                    write!(out, "{text}")?;
                    out.flush()?;
                }
                Ok(TurnEvent::ToolCall { name }) => eprintln!("[{name}]"),
                Ok(TurnEvent::Done(_)) => writeln!(out)?,
                Err(e) => {
                    writeln!(out)?;
                    eprintln!("error: {e}");
                }
            }
        }
    }
    agents.shutdown().await;
    db.close().await;
    Ok(())
}
