//! The built-in local model: a GGUF file run in process on the CPU through llama.cpp (the
//! `llama-cpp-2` binding, cargo feature `local-model`).
//!
//! Same contract as the HTTP providers — canonical request in, canonical stream events out —
//! but no wire: the request becomes a [`prompt::Plan`] (chat turns for the GGUF's template, an
//! output [`grammar::Constraint`], sampling options), a worker thread generates, and
//! [`output::Output`] turns the bytes into events.
//!
//! Inference never runs on the async runtime. `sequences` dedicated threads each own a llama.cpp
//! context and take one request at a time; admission is a semaphore of `sequences + queue`
//! permits taken without waiting, so a request beyond the queue is refused at once with
//! [`Error::Overloaded`] (503) — never an unbounded backlog. A caller that goes away (a dropped
//! stream, a timeout) stops its generation at the next token.

pub(crate) mod grammar;
pub(crate) mod output;
pub(crate) mod prompt;

#[cfg(feature = "local-model")]
mod engine;
#[cfg(not(feature = "local-model"))]
#[path = "no_engine.rs"]
mod engine;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};

use crate::config::LocalConfig;
use crate::error::Error;
use crate::types::{
    ChatRequest, ChatResponse, Content, FinishReason, FunctionCall, FunctionType, Message, Role,
    StreamEvent, ToolCall, Usage,
};

/// Whether this build can run a local model (the `local-model` cargo feature).
pub const AVAILABLE: bool = cfg!(feature = "local-model");

/// The default model's file name under `<data_dir>/models/` (`scripts/fetch-model.sh`).
pub const DEFAULT_MODEL_FILE: &str = "smollm2-135m-instruct-q4_1.gguf";

/// What to tell a user whose model file is missing or broken.
pub(crate) const FETCH_HINT: &str = "run scripts/fetch-model.sh to download the default model (or point [llm.local] model / --model at a GGUF file)";

/// Said wherever the local model answers for want of a provider.
pub const LOCAL_ONLY: &str = "answering with the built-in local model: a small model on the CPU, \
     slow and modest; configure a provider (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, OLLAMA_HOST, \
     or [llm.models]) for far better results";

/// The loaded model and its worker pool. One per gateway.
pub(crate) struct LocalModel {
    /// The name callers use (`local/smollm2-135m`).
    pub name: String,
    /// The model as reported in responses (`smollm2-135m`).
    pub upstream: String,
    path: PathBuf,
    sequences: u32,
    queue: u32,
    threads: u32,
    context: u32,
    admission: Arc<Semaphore>,
    engine: engine::Engine,
}

impl std::fmt::Debug for LocalModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalModel")
            .field("name", &self.name)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The local model in `cistern llm models` and `/health/detailed`.
#[derive(Debug, Clone, Serialize)]
pub struct LocalInfo {
    /// The name callers use.
    pub name: String,
    /// The GGUF file.
    pub path: String,
    /// True when no provider is configured and it answers every model name.
    pub default: bool,
    /// True when it is every configured model's last fallback.
    pub fallback: bool,
    /// Parameters of the model.
    pub parameters: u64,
    /// Context window per sequence, in tokens.
    pub context: u32,
    /// CPU threads per sequence.
    pub threads: u32,
    /// Requests generated at once.
    pub sequences: u32,
    /// Requests that may wait for a sequence.
    pub queue: u32,
    /// Requests generating now.
    pub busy: u32,
    /// Requests waiting now.
    pub queued: u32,
}

impl LocalModel {
    /// Loads the model `config` names; `None` when it names none or is turned off. A named
    /// file that is missing or does not load is an error saying which file and what to run.
    pub(crate) fn load(config: &LocalConfig) -> Result<Option<Arc<Self>>, Error> {
        let Some(path) = config.model.as_deref().filter(|_| config.enabled) else {
            return Ok(None);
        };
        check_file(path)?;
        let sequences = config.sequences.max(1);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = match config.threads {
            0 => u32::try_from(cores).unwrap_or(1).div_ceil(sequences).max(1),
            n => n,
        };
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("model")
            .to_owned();
        let upstream = match stem.as_str() {
            "smollm2-135m-instruct-q4_1" => "smollm2-135m".to_owned(),
            _ => stem,
        };
        let name = config
            .name
            .clone()
            .unwrap_or_else(|| format!("local/{upstream}"));
        let engine = engine::Engine::start(path, config.context.max(64), sequences, threads)?;
        Ok(Some(Arc::new(Self {
            name,
            upstream,
            path: path.to_owned(),
            sequences,
            queue: config.queue,
            threads,
            context: engine.context(),
            admission: Arc::new(Semaphore::new((sequences + config.queue) as usize)),
            engine,
        })))
    }

    /// Starts a generation: refused at once with [`Error::Overloaded`] when every sequence is
    /// busy and the queue is full.
    pub(crate) fn stream(&self, req: &ChatRequest) -> Result<LocalStream, Error> {
        let permit = self.admission.clone().try_acquire_owned().map_err(|_| {
            Error::Overloaded {
                message: format!(
                    "the local model {} is busy: {} requests generating and {} waiting; try again shortly",
                    self.name, self.sequences, self.queue
                ),
                retry_after: Some(Duration::from_secs(2)),
            }
        })?;
        let plan = prompt::Plan::new(req);
        // Room for a burst of tokens; the worker waits when the caller reads slowly.
        let (tx, rx) = mpsc::channel(64);
        self.engine.submit(engine::Job {
            plan,
            events: tx,
            permit,
        })?;
        Ok(LocalStream {
            rx,
            finished: false,
        })
    }

    /// The answer to `req`, collected from a generation.
    pub(crate) async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, Error> {
        let mut stream = self.stream(req)?;
        let mut text = String::new();
        let mut calls: Vec<ToolCall> = Vec::new();
        let mut finish = FinishReason::Stop;
        let mut usage = Usage::default();
        while let Some(event) = stream.next().await? {
            match event {
                StreamEvent::TextDelta { text: t } => text.push_str(&t),
                StreamEvent::ToolCallDelta(d) => {
                    if d.id.is_some() || calls.is_empty() {
                        calls.push(ToolCall {
                            id: d.id.unwrap_or_else(super::make_call_id),
                            kind: FunctionType::Function,
                            function: FunctionCall {
                                name: String::new(),
                                arguments: String::new(),
                            },
                        });
                    }
                    if let Some(call) = calls.last_mut() {
                        if let Some(name) = d.name {
                            call.function.name = name;
                        }
                        call.function.arguments.push_str(&d.arguments);
                    }
                }
                StreamEvent::Finish { reason } => finish = reason,
                StreamEvent::Usage(u) => usage = u,
            }
        }
        let content = (!text.is_empty() || calls.is_empty()).then_some(Content::Text(text));
        Ok(ChatResponse {
            id: format!("local-{:016x}", fastrand::u64(..)),
            model: self.upstream.clone(),
            message: Message {
                role: Role::Assistant,
                content,
                name: None,
                tool_calls: calls,
                tool_call_id: None,
            },
            finish_reason: finish,
            usage,
        })
    }

    /// The model's description and load, for health and `cistern llm models`.
    pub(crate) fn info(&self, default: bool, fallback: bool) -> LocalInfo {
        let capacity = self.sequences + self.queue;
        let free = u32::try_from(self.admission.available_permits()).unwrap_or(0);
        let in_flight = capacity.saturating_sub(free);
        let busy = in_flight.min(self.sequences);
        let parameters = self.engine.parameters();
        LocalInfo {
            name: self.name.clone(),
            path: self.path.display().to_string(),
            default,
            fallback,
            parameters,
            context: self.context,
            threads: self.threads,
            sequences: self.sequences,
            queue: self.queue,
            busy,
            queued: in_flight - busy,
        }
    }

    /// The GGUF file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// A generation's events, as the worker produces them: deltas, then `Finish`, then `Usage`.
#[derive(Debug)]
pub(crate) struct LocalStream {
    rx: mpsc::Receiver<Result<StreamEvent, Error>>,
    finished: bool,
}

impl LocalStream {
    /// The next event; `Ok(None)` once the answer is complete.
    pub(crate) async fn next(&mut self) -> Result<Option<StreamEvent>, Error> {
        match self.rx.recv().await {
            Some(Ok(event)) => {
                if matches!(event, StreamEvent::Usage(_)) {
                    self.finished = true;
                }
                Ok(Some(event))
            }
            Some(Err(e)) => Err(e),
            None if self.finished => Ok(None),
            None => Err(Error::Unavailable(
                "the local model stopped before the answer was complete".into(),
            )),
        }
    }
}

/// Checks, without loading it, that the model `config` names is there and is GGUF (for
/// `cistern config check`); `Ok` when it names none or is off.
pub fn check_local_model(config: &LocalConfig) -> Result<(), Error> {
    match config.model.as_deref() {
        Some(path) if config.enabled => check_file(path),
        _ => Ok(()),
    }
}

/// A missing file, a directory or a file that is not GGUF: an error naming the path and the fix.
fn check_file(path: &Path) -> Result<(), Error> {
    use std::io::Read;
    let shown = path.display();
    let mut magic = [0u8; 4];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic));
    match read {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::Config(format!(
            "the local model file {shown} does not exist: {FETCH_HINT}"
        ))),
        Err(e) => Err(Error::Config(format!(
            "the local model file {shown} cannot be read ({e}): {FETCH_HINT}"
        ))),
        Ok(()) if &magic != b"GGUF" => Err(Error::Config(format!(
            "the local model file {shown} is not a GGUF model (corrupt or partly downloaded?): \
             delete it and {FETCH_HINT}"
        ))),
        Ok(()) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_model_configured_loads_nothing() {
        assert!(LocalModel::load(&LocalConfig::default()).unwrap().is_none());
        let off = LocalConfig {
            model: Some("/nonexistent.gguf".into()),
            enabled: false,
            ..LocalConfig::default()
        };
        assert!(LocalModel::load(&off).unwrap().is_none());
    }

    #[test]
    fn a_missing_or_corrupt_file_names_the_path_and_the_fix() {
        let dir = std::env::temp_dir().join(format!("cistern-local-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.gguf");
        let corrupt = dir.join("corrupt.gguf");
        std::fs::write(&corrupt, b"<html>not a model</html>").unwrap();
        for (path, words) in [(&missing, "does not exist"), (&corrupt, "not a GGUF")] {
            let config = LocalConfig {
                model: Some(path.clone()),
                ..LocalConfig::default()
            };
            let e = LocalModel::load(&config).unwrap_err().to_string();
            assert!(e.contains(&path.display().to_string()), "{e}");
            assert!(e.contains(words), "{e}");
            assert!(e.contains("scripts/fetch-model.sh"), "{e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
