//! `cistern llm models` and `cistern llm ask`: the gateway from the command line, in process, with
//! the same config and environment as `serve` (no server, no account, nothing recorded).

use std::io::Write;

use anyhow::Context;
use cistern_llm::{
    CallContext, ChatRequest, Gateway, GatewayOptions, Message, ModelsInfo, StreamEvent,
};
use futures::StreamExt;

use crate::config::Config;

/// The gateway `serve` would build from `config`.
pub fn gateway(config: &Config) -> anyhow::Result<Gateway> {
    Gateway::new(config.llm.clone(), GatewayOptions::default())
        .context("cannot start the LLM gateway")
}

/// A running server's view of its deployments (`/health/detailed`'s `llm.deployments`), by name.
pub type LiveHealth = std::collections::HashMap<String, serde_json::Value>;

/// Reads the live deployment health of the server at `url`.
pub async fn live_health(url: &str) -> anyhow::Result<LiveHealth> {
    let url = format!("{}/health/detailed", url.trim_end_matches('/'));
    let report: serde_json::Value = reqwest::Client::new()
        .get(&url)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?
        .json()
        .await
        .with_context(|| format!("{url} did not answer with a health report"))?;
    Ok(report["llm"]["deployments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| Some((d["name"].as_str()?.to_owned(), d.clone())))
        .collect())
}

/// Prints the configured models and the environment's passthrough providers; with `live`, each
/// deployment's circuit as the running server sees it.
pub fn models(
    config: &Config,
    json: bool,
    live: Option<&LiveHealth>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let gateway = gateway(config)?;
    let info = gateway.models();
    if json {
        let mut value = serde_json::to_value(&info)?;
        if let Some(live) = live {
            value["live"] = serde_json::to_value(live)?;
        }
        serde_json::to_writer_pretty(&mut *out, &value)?;
        writeln!(out)?;
        return Ok(());
    }
    print_models(&info, live, out)?;
    if !gateway.is_configured() {
        writeln!(out, "\n{}", cistern_llm::NOT_CONFIGURED)?;
    }
    Ok(())
}

fn print_models(
    info: &ModelsInfo,
    live: Option<&LiveHealth>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    // "healthy", "OPEN (3 failures)", or nothing without a server to ask.
    let state = |name: &str| -> String {
        let Some(d) = live.and_then(|l| l.get(name)) else {
            return String::new();
        };
        if d["healthy"].as_bool() == Some(true) {
            "  healthy".to_owned()
        } else {
            format!(
                "  {} ({} failures)",
                d["breaker"].as_str().unwrap_or("unknown").to_uppercase(),
                d["consecutive_failures"]
            )
        }
    };
    for model in &info.models {
        let window = model
            .context_window
            .map_or_else(String::new, |w| format!(" (context {w} tokens)"));
        writeln!(out, "{}{window}", model.name)?;
        for d in &model.deployments {
            writeln!(
                out,
                "  {:<16} {:<9} {} {} weight {} ${}/${} per Mtok{}",
                d.name,
                d.provider.as_str(),
                d.base_url,
                d.upstream_model.as_deref().unwrap_or("-"),
                d.weight,
                d.input_price_per_mtok,
                d.output_price_per_mtok,
                state(&d.name),
            )?;
        }
    }
    if let Some(l) = &info.local {
        writeln!(
            out,
            "{}  built-in local model, {}M parameters, {} (context {} tokens, {} sequences × {} threads, queue {}){}{}",
            l.name,
            l.parameters / 1_000_000,
            l.path,
            l.context,
            l.sequences,
            l.threads,
            l.queue,
            if l.fallback {
                ", last fallback of every model"
            } else {
                ""
            },
            state(&l.name),
        )?;
        if l.default {
            writeln!(
                out,
                "  answers every model name: {}",
                cistern_llm::LOCAL_ONLY
            )?;
        }
    }
    if !info.passthrough.is_empty() {
        writeln!(out, "any other model name goes to:")?;
        for d in &info.passthrough {
            writeln!(
                out,
                "  {:<16} {:<9} {}{}",
                d.name,
                d.provider.as_str(),
                d.base_url,
                state(&d.name)
            )?;
        }
    }
    Ok(())
}

/// Sends one prompt and prints the answer as it streams in; usage goes to stderr.
pub async fn ask(
    config: &Config,
    model: &str,
    system: Option<&str>,
    prompt: &str,
    out: &mut (impl Write + Send),
) -> anyhow::Result<()> {
    let gateway = gateway(config)?;
    let mut messages = Vec::with_capacity(2);
    if let Some(system) = system {
        messages.push(Message::system(system));
    }
    messages.push(Message::user(prompt));
    let mut request = ChatRequest::new(model, messages);
    request.stream = true;
    let ctx = CallContext {
        app: Some("cli".to_owned()),
        ..CallContext::default()
    };
    let mut stream = gateway.chat_stream(request, ctx).await?;
    while let Some(event) = stream.next().await {
        match event? {
            StreamEvent::TextDelta { text } => {
                out.write_all(text.as_bytes())?;
                out.flush()?;
            }
            StreamEvent::Usage(usage) => {
                eprintln!(
                    "\n[{} tokens in, {} out]",
                    usage.input_tokens, usage.output_tokens
                );
            }
            _ => {}
        }
    }
    writeln!(out)?;
    Ok(())
}
