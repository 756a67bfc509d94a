//! The built-in local model through the real gateway and the real default model
//! (SmolLM2-135M-Instruct, fetched by `scripts/fetch-model.sh`, its hash checked there).
//! Assertions are on structure, never on the model's words.
//!
//! The model file: `CISTERN_TEST_LOCAL_MODEL`, else `target/models/` of the workspace
//! (`scripts/test.sh` fetches it there). Without the `local-model` feature the suite is
//! skipped, loudly; with it, a missing file fails every test.
// The tests own the tasks they spawn and await them.
#![allow(clippy::disallowed_methods)]

#[cfg(feature = "local-model")]
mod local;

#[cfg(not(feature = "local-model"))]
#[test]
fn local_model_suite_skipped() {
    eprintln!(
        "\n*** SKIPPED: the local model suite needs the `local-model` feature \
         (cargo nextest run -p cistern-llm --features local-model; scripts/test.sh turns it on) ***\n"
    );
}
