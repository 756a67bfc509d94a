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
    Gateway::new(config.llm.clone(), GatewayOptions::default()).context("invalid [llm] config")
}

/// Prints the configured models and the environment's passthrough providers.
pub fn models(config: &Config, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let gateway = gateway(config)?;
    let info = gateway.models();
    if json {
        serde_json::to_writer_pretty(&mut *out, &info)?;
        writeln!(out)?;
        return Ok(());
    }
    print_models(&info, out)?;
    if !gateway.is_configured() {
        writeln!(out, "\n{}", cistern_llm::NOT_CONFIGURED)?;
    }
    Ok(())
}

fn print_models(info: &ModelsInfo, out: &mut impl Write) -> std::io::Result<()> {
    for model in &info.models {
        let window = model
            .context_window
            .map_or_else(String::new, |w| format!(" (context {w} tokens)"));
        writeln!(out, "{}{window}", model.name)?;
        for d in &model.deployments {
            writeln!(
                out,
                "  {:<16} {:<9} {} {} weight {} ${}/${} per Mtok",
                d.name,
                d.provider.as_str(),
                d.base_url,
                d.upstream_model.as_deref().unwrap_or("-"),
                d.weight,
                d.input_price_per_mtok,
                d.output_price_per_mtok,
            )?;
        }
    }
    if !info.passthrough.is_empty() {
        writeln!(out, "any other model name goes to:")?;
        for d in &info.passthrough {
            writeln!(
                out,
                "  {:<16} {:<9} {}",
                d.name,
                d.provider.as_str(),
                d.base_url
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
