//! `fake-llm`: a fast fake LLM upstream (OpenAI, Anthropic and Gemini protocols) for the
//! gateway benchmark. Every request gets the same canned reply, serialised once per model and
//! mode; nothing is recorded, so memory stays flat under load.
//!
//! ```text
//! cargo run --release -p cistern-llm-fake --bin fake-llm -- --port 0 --stream-chunks 64
//! ```
//!
//! Prints `fake-llm listening on http://127.0.0.1:PORT`, then serves until Ctrl-C.

use cistern_llm_fake::{FakeLlm, Reply};
use clap::Parser;

/// A canned answer of ordinary length (about 60 words, ~360 characters).
const DEFAULT_TEXT: &str = "Cisterns collect rain from roofs and store it underground, where \
    the water stays cool and dark. A well-built cistern keeps sediment out with a settling \
    chamber, vents air without letting in light, and draws from just below the surface. In \
    dry seasons a household can live for months on what the winter rains left behind, which \
    is why old towns dug so many of them.";

#[derive(Debug, Parser)]
#[command(
    name = "fake-llm",
    about = "Fake OpenAI/Anthropic/Gemini upstream for benchmarks"
)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Content chunks in a streamed reply (default: one per word).
    #[arg(long)]
    stream_chunks: Option<usize>,
    /// Reply text.
    #[arg(long, default_value = DEFAULT_TEXT)]
    text: String,
    /// Prompt tokens reported in usage.
    #[arg(long, default_value_t = 24)]
    prompt_tokens: u32,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let completion_tokens = (args.text.split_whitespace().count() as u32).max(1);
    let mut reply = Reply::text(args.text).usage(args.prompt_tokens.max(1), completion_tokens);
    if let Some(n) = args.stream_chunks {
        reply = reply.chunks(n);
    }
    let fake = FakeLlm::builder()
        .port(args.port)
        .record(false)
        .fixed_reply(reply)
        .start()
        .await?;
    println!("fake-llm listening on {}", fake.url());
    tokio::signal::ctrl_c().await?;
    fake.shutdown().await;
    Ok(())
}
