//! The llama.cpp side: the model, one worker thread per sequence (each with its own context
//! and batch), and the generation loop. Everything here runs on the worker threads.

use std::num::NonZeroU32;
use std::path::Path;
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::token::data::LlamaTokenData;
use llama_cpp_2::token::data_array::LlamaTokenDataArray;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

use super::FETCH_HINT;
use super::grammar::GrammarError;
use super::output::Output;
use super::prompt::Plan;
use crate::error::Error;
use crate::types::{FinishReason, StreamEvent, Usage};

/// Tokens decoded per batch while reading the prompt.
const BATCH: usize = 512;

/// A generation request, holding its admission permit until the worker is done with it.
pub(super) struct Job {
    pub plan: Plan,
    pub events: mpsc::Sender<Result<StreamEvent, Error>>,
    pub permit: OwnedSemaphorePermit,
}

/// The model and its workers. Dropping it closes the job channel and joins the workers (each
/// finishes at most the token it is on: its caller is gone too).
pub(super) struct Engine {
    model: Arc<LlamaModel>,
    jobs: Mutex<Option<std_mpsc::Sender<Job>>>,
    workers: Vec<JoinHandle<()>>,
    context: u32,
}

/// llama.cpp's process-wide backend: initialised once, never torn down.
fn backend() -> Result<&'static LlamaBackend, Error> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            // llama.cpp logs to stderr by default; route it through tracing instead.
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::Config(format!("llama.cpp backend: {e}")))
}

impl Engine {
    /// Loads the model and starts `sequences` workers with a `context`-token context each
    /// (at most the model's training context).
    pub(super) fn start(
        path: &Path,
        context: u32,
        sequences: u32,
        threads: u32,
    ) -> Result<Self, Error> {
        let backend = backend()?;
        let model = LlamaModel::load_from_file(backend, path, &LlamaModelParams::default())
            .map_err(|e| {
                Error::Config(format!(
                    "the local model file {} does not load ({e}): corrupt or not a model llama.cpp \
                     supports; delete it and {FETCH_HINT}",
                    path.display()
                ))
            })?;
        let model = Arc::new(model);
        let template = match model.chat_template(None) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "the model has no chat template; using chatml");
                LlamaChatTemplate::new("chatml")
                    .map_err(|e| Error::Config(format!("chat template: {e}")))?
            }
        };
        let context = context.min(model.n_ctx_train().max(64));
        let (jobs, inbox) = std_mpsc::channel::<Job>();
        let inbox = Arc::new(Mutex::new(inbox));
        let (ready_tx, ready) = std_mpsc::channel::<Result<(), String>>();
        let mut workers = Vec::new();
        for i in 0..sequences {
            let worker = Worker {
                model: model.clone(),
                template: template.clone(),
                inbox: inbox.clone(),
            };
            let ready_tx = ready_tx.clone();
            let handle = std::thread::Builder::new()
                .name(format!("cistern-local-{i}"))
                .spawn(move || worker.run(backend, context, threads, ready_tx))
                .map_err(|e| Error::Config(format!("cannot start a local model thread: {e}")))?;
            workers.push(handle);
        }
        drop(ready_tx);
        let engine = Self {
            model,
            jobs: Mutex::new(Some(jobs)),
            workers,
            context,
        };
        for _ in 0..sequences {
            match ready.recv() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(Error::Config(format!("local model context: {e}"))),
                Err(_) => return Err(Error::Config("a local model thread died at start".into())),
            }
        }
        tracing::info!(
            path = %path.display(),
            parameters = engine.model.n_params(),
            context,
            sequences,
            threads,
            "local model loaded"
        );
        Ok(engine)
    }

    /// Queues a job for the next free worker (admission already bounded the queue).
    pub(super) fn submit(&self, job: Job) -> Result<(), Error> {
        let jobs = self
            .jobs
            .lock()
            .map_err(|_| Error::Unavailable("the local model's queue is poisoned".into()))?;
        if jobs.as_ref().is_some_and(|j| j.send(job).is_ok()) {
            Ok(())
        } else {
            Err(Error::Unavailable("the local model has stopped".into()))
        }
    }

    /// Context window per sequence, in tokens.
    pub(super) fn context(&self) -> u32 {
        self.context
    }

    /// Parameters of the model.
    pub(super) fn parameters(&self) -> u64 {
        self.model.n_params()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        for worker in self.workers.drain(..) {
            if worker.join().is_err() {
                tracing::error!("a local model thread panicked");
            }
        }
    }
}

struct Worker {
    model: Arc<LlamaModel>,
    template: LlamaChatTemplate,
    inbox: Arc<Mutex<std_mpsc::Receiver<Job>>>,
}

/// Contexts are created one at a time: llama.cpp mutates the model while creating one.
static CREATE_CONTEXT: Mutex<()> = Mutex::new(());

impl Worker {
    fn run(
        self,
        backend: &'static LlamaBackend,
        context: u32,
        threads: u32,
        ready: std_mpsc::Sender<Result<(), String>>,
    ) {
        let threads = i32::try_from(threads).unwrap_or(1);
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(context))
            .with_n_batch(BATCH as u32)
            .with_n_ubatch(BATCH as u32)
            .with_n_seq_max(1)
            .with_n_threads(threads)
            .with_n_threads_batch(threads)
            // `LLAMA_FLASH_ATTN_TYPE_DISABLED` (the binding takes the raw C enum), as
            // llama-cpp-python's default: the CPU gains nothing from it at these sizes.
            .with_flash_attention_policy(0);
        let created = {
            let _guard = CREATE_CONTEXT.lock();
            self.model.new_context(backend, params)
        };
        let mut ctx = match created {
            Ok(ctx) => ctx,
            Err(e) => {
                if ready.send(Err(e.to_string())).is_err() {
                    tracing::debug!("local model start abandoned");
                }
                return;
            }
        };
        if ready.send(Ok(())).is_err() {
            return;
        }
        drop(ready);
        let mut batch = LlamaBatch::new(BATCH, 1);
        loop {
            let job = match self.inbox.lock() {
                Ok(inbox) => inbox.recv(),
                Err(_) => return,
            };
            let Ok(job) = job else {
                return; // the engine was dropped
            };
            if job.events.is_closed() {
                continue; // the caller gave up while it waited
            }
            let outcome = self.generate(&mut ctx, &mut batch, &job);
            if let Err(e) = outcome
                && job.events.blocking_send(Err(e)).is_err()
            {
                tracing::debug!("local model caller gone before its error");
            }
            drop(job.permit);
        }
    }

    /// One generation, its events sent as they come. `Ok` also when the caller went away.
    fn generate(
        &self,
        ctx: &mut LlamaContext<'_>,
        batch: &mut LlamaBatch<'_>,
        job: &Job,
    ) -> Result<(), Error> {
        let plan = &job.plan;
        let model = &*self.model;
        let vocab = model.vocab();
        let messages = plan
            .turns
            .iter()
            .map(|(role, text)| LlamaChatMessage::new(role.clone(), text.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| Error::BadRequest("a message holds a NUL character".into()))?;
        let prompt = model
            .apply_chat_template(&self.template, &messages, true)
            .map_err(|e| Error::Unavailable(format!("the model's chat template failed: {e}")))?;
        let tokens = vocab.tokenize(prompt.as_bytes(), true, true);
        let n_ctx = ctx.n_ctx() as usize;
        if tokens.is_empty() || tokens.len() >= n_ctx {
            return Err(Error::BadRequest(format!(
                "the prompt is {} tokens but the local model's context holds {n_ctx}: shorten it, or \
                 raise [llm.local] context (up to the model's {})",
                tokens.len(),
                model.n_ctx_train()
            )));
        }
        let budget = n_ctx - tokens.len();
        let max_new = plan.max_tokens.map_or(budget, |m| (m as usize).min(budget));
        let mut sampler = self.sampler(plan)?;

        ctx.clear_kv_cache();
        let last = tokens.len() - 1;
        for (c, chunk) in tokens.chunks(BATCH).enumerate() {
            batch.clear();
            for (j, &token) in chunk.iter().enumerate() {
                let pos = c * BATCH + j;
                batch
                    .add(token, pos as i32, &[0], pos == last)
                    .map_err(|e| decode_error(&e))?;
            }
            ctx.decode(batch).map_err(|e| decode_error(&e))?;
        }

        let mut output = Output::new(&plan.constraint, plan.stop.clone());
        let mut events = Vec::new();
        let mut produced = 0usize;
        let mut pos = tokens.len();
        let mut piece = Vec::with_capacity(16);
        let reason = loop {
            if produced >= max_new {
                break FinishReason::Length;
            }
            let token = sampler.sample(ctx, batch.n_tokens() - 1);
            let Some(token) = token else {
                return Err(Error::Unavailable(
                    "the local model's sampler selected no token".into(),
                ));
            };
            if vocab.is_eog(token) {
                break FinishReason::Stop;
            }
            produced += 1;
            piece.clear();
            vocab.token_to_piece_into(token, &mut piece, false, None);
            let stopped = output.push(&piece, &mut events);
            if !send_all(&job.events, &mut events) {
                return Ok(());
            }
            if stopped {
                break FinishReason::Stop;
            }
            batch.clear();
            batch
                .add(token, pos as i32, &[0], true)
                .map_err(|e| decode_error(&e))?;
            ctx.decode(batch).map_err(|e| decode_error(&e))?;
            pos += 1;
        };
        let reason = output.finish(reason, &mut events);
        events.push(StreamEvent::Finish { reason });
        events.push(StreamEvent::Usage(Usage::new(
            u32::try_from(tokens.len()).unwrap_or(u32::MAX),
            u32::try_from(produced).unwrap_or(u32::MAX),
        )));
        send_all(&job.events, &mut events);
        Ok(())
    }

    /// The sampler for `plan`: a grammar when the output is constrained, then either greedy
    /// decoding (temperature 0) or top-k / top-p / temperature / a seeded draw. Free text also
    /// gets a mild repetition penalty: small models loop without one.
    fn sampler(&self, plan: &Plan) -> Result<Sampler, Error> {
        let grammar = plan
            .constraint
            .grammar(|schema| {
                llama_cpp_2::json_schema_to_grammar(schema).map_err(|e| GrammarError(e.to_string()))
            })
            .map_err(|e| Error::BadRequest(e.to_string()))?;
        let mut chain = Vec::with_capacity(6);
        let grammar = match grammar {
            Some(g) => Some(LlamaSampler::grammar(&self.model, &g, "root").map_err(|e| {
                Error::BadRequest(format!(
                    "the local model cannot constrain its output to this schema ({e})"
                ))
            })?),
            None => {
                let vocab = self.model.n_vocab();
                chain.push(LlamaSampler::penalties(vocab, 64, 1.1, 0.0, 0.0));
                None
            }
        };
        if plan.temperature <= 0.0 {
            chain.push(LlamaSampler::greedy());
        } else {
            chain.push(LlamaSampler::top_k(40));
            chain.push(LlamaSampler::top_p(plan.top_p, 1));
            chain.push(LlamaSampler::temp(plan.temperature));
            let seed = plan.seed.unwrap_or_else(|| fastrand::u32(..));
            chain.push(LlamaSampler::dist(seed));
        }
        Ok(Sampler {
            chain: LlamaSampler::chain_simple(chain),
            grammar,
        })
    }
}

/// Sampling with an optional grammar, the way llama.cpp's own `common_sampler` does it: the
/// grammar checks the token the free sampler picked, and only when it refuses that token is it
/// applied to the whole vocabulary and the pick redone. Checking all 49k candidates on every
/// token would cost more than the model itself.
struct Sampler {
    chain: LlamaSampler,
    grammar: Option<LlamaSampler>,
}

impl Sampler {
    fn sample(&mut self, ctx: &LlamaContext<'_>, idx: i32) -> Option<LlamaToken> {
        let Some(grammar) = &mut self.grammar else {
            return Some(self.chain.sample(ctx, idx));
        };
        let mut candidates = ctx.token_data_array_ith(idx);
        candidates.apply_sampler(&mut self.chain);
        let mut token = candidates.selected_token()?;
        let mut single =
            LlamaTokenDataArray::new(vec![LlamaTokenData::new(token, 1.0, 0.0)], false);
        single.apply_sampler(grammar);
        if single.data.first().is_none_or(|d| d.logit().is_infinite()) {
            let mut candidates = ctx.token_data_array_ith(idx);
            candidates.apply_sampler(grammar);
            candidates.apply_sampler(&mut self.chain);
            token = candidates.selected_token()?;
        }
        grammar.accept(token);
        self.chain.accept(token);
        Some(token)
    }
}

/// Sends the events in order; false when the caller has gone away.
fn send_all(to: &mpsc::Sender<Result<StreamEvent, Error>>, events: &mut Vec<StreamEvent>) -> bool {
    events.drain(..).all(|e| to.blocking_send(Ok(e)).is_ok())
}

fn decode_error(e: &dyn std::fmt::Display) -> Error {
    Error::Unavailable(format!("the local model failed to decode: {e}"))
}
