//! The engine's Prometheus metrics. One [`Metrics`] per application (tests run many in one
//! process); clones share the same series. Labels are the queue and the handler name — bounded by
//! the handlers a deployment registers — never a job id or an owner.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::query::QueueDepth;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabel {
    queue: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DepthLabels {
    queue: String,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    queue: String,
    name: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn seconds() -> Histogram {
    // 0.5 ms … ~16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// Counters and histograms of enqueues, starts, runs, failures and dead jobs, and queue depth
/// gauges (refreshed by running workers).
#[derive(Debug, Clone)]
pub struct Metrics {
    enqueued: Family<QueueLabel, Counter>,
    depth: Family<DepthLabels, Gauge>,
    start_delay: Histograms<QueueLabel>,
    run_time: Histograms<JobLabels>,
    attempts: Family<JobLabels, Counter>,
    failures: Family<JobLabels, Counter>,
    dead: Family<JobLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            enqueued: Family::default(),
            depth: Family::default(),
            start_delay: Family::new_with_constructor(seconds as fn() -> Histogram),
            run_time: Family::new_with_constructor(seconds as fn() -> Histogram),
            attempts: Family::default(),
            failures: Family::default(),
            dead: Family::default(),
        }
    }
}

impl Metrics {
    /// Fresh, unregistered metrics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers every series (prefix `cistern_jobs_`) in `registry`.
    pub fn register(&self, registry: &mut Registry) {
        let r = registry.sub_registry_with_prefix("cistern_jobs");
        r.register("enqueued", "Jobs enqueued", self.enqueued.clone());
        r.register(
            "queue_depth",
            "Jobs per queue and state (ready, delayed, running, dead), as last seen by a worker",
            self.depth.clone(),
        );
        r.register(
            "start_delay_seconds",
            "From a job becoming due to a worker starting it",
            self.start_delay.clone(),
        );
        r.register(
            "run_seconds",
            "Handler run time per attempt",
            self.run_time.clone(),
        );
        r.register("attempts", "Attempts started", self.attempts.clone());
        r.register("failures", "Attempts that failed", self.failures.clone());
        r.register(
            "dead",
            "Jobs that failed their last attempt",
            self.dead.clone(),
        );
    }

    /// The series of one handler on one queue, looked up once (workers record per job).
    pub(crate) fn handler(&self, queue: &str, name: &str) -> HandlerMetrics {
        let labels = labels(queue, name);
        HandlerMetrics {
            start_delay: self
                .start_delay
                .get_or_create(&QueueLabel {
                    queue: queue.to_owned(),
                })
                .clone(),
            run_time: self.run_time.get_or_create(&labels).clone(),
            attempts: self.attempts.get_or_create(&labels).clone(),
            failures: self.failures.get_or_create(&labels).clone(),
            dead: self.dead.get_or_create(&labels).clone(),
        }
    }

    pub(crate) fn enqueued(&self, queue: &str, n: u64) {
        self.enqueued
            .get_or_create(&QueueLabel {
                queue: queue.to_owned(),
            })
            .inc_by(n);
    }

    /// Sets the depth gauges from a [`crate::Backend::depths`] answer.
    pub fn set_depths(&self, depths: &[QueueDepth]) {
        // Queues that emptied out disappear from the answer: drop their stale series.
        self.depth.clear();
        for d in depths {
            for (state, n) in [
                ("ready", d.ready),
                ("delayed", d.delayed),
                ("running", d.running),
                ("dead", d.dead),
            ] {
                let labels = DepthLabels {
                    queue: d.queue.clone(),
                    state,
                };
                self.depth
                    .get_or_create(&labels)
                    .set(i64::try_from(n).unwrap_or(i64::MAX));
            }
        }
    }
}

fn labels(queue: &str, name: &str) -> JobLabels {
    JobLabels {
        queue: queue.to_owned(),
        name: name.to_owned(),
    }
}

/// One handler's series, resolved once.
#[derive(Debug, Clone)]
pub(crate) struct HandlerMetrics {
    start_delay: Histogram,
    run_time: Histogram,
    attempts: Counter,
    failures: Counter,
    dead: Counter,
}

impl HandlerMetrics {
    pub(crate) fn started(&self, delay_s: f64) {
        self.start_delay.observe(delay_s.max(0.0));
        self.attempts.inc();
    }

    pub(crate) fn ran(&self, seconds: f64, failed: bool, dead: bool) {
        self.run_time.observe(seconds);
        if failed {
            self.failures.inc();
        }
        if dead {
            self.dead.inc();
        }
    }
}
