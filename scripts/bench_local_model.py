#!/usr/bin/env python3
"""The anchor for the local model's figures: the same prompts through llama.cpp's Python binding
(llama-cpp-python), built with the same ggml options as Cistern's build (AVX2/FMA/F16C/BMI2, no
OpenMP). Compare with `cargo run --release -p cistern-llm --features local-model --example
local_model_bench` (docs/benchmarks.md).

    python3 -m venv /tmp/lcp-venv
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
      -DGGML_BMI2=ON -DGGML_OPENMP=OFF -DLLAMA_CURL=OFF" /tmp/lcp-venv/bin/pip install llama-cpp-python
    /tmp/lcp-venv/bin/python scripts/bench_local_model.py [MODEL.gguf] [RUNS] [THREADS]
"""

import statistics
import sys
import time

from llama_cpp import Llama

NOTE = (
    "The maintenance crew inspected the north water cistern on Monday. They found a "
    "small crack near the inlet valve, replaced two worn gaskets, and measured the "
    "water level at four metres. The pump ran for six hours without faults. "
)
LONG_PROMPT = "Summarise these notes in one sentence:\n" + NOTE * 10
SHORT_PROMPT = "Write a short story about a lighthouse keeper who finds a message in a bottle."


def run(llm, prompt, max_tokens):
    """(time to first token, total time, output tokens) of one streamed greedy answer."""
    started = time.perf_counter()
    first = None
    tokens = 0
    for chunk in llm.create_chat_completion(
        messages=[{"role": "user", "content": prompt}],
        max_tokens=max_tokens,
        temperature=0.0,
        stream=True,
    ):
        if chunk["choices"][0]["delta"].get("content"):
            tokens += 1
            if first is None:
                first = time.perf_counter() - started
    total = time.perf_counter() - started
    return first or total, total, tokens


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else "target/models/smollm2-135m-instruct-q4_1.gguf"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    llm = Llama(
        model_path=model,
        n_ctx=2048,
        n_batch=512,
        n_threads=threads,
        n_threads_batch=threads,
        verbose=False,
    )
    prompt_tokens = len(llm.tokenize(LONG_PROMPT.encode()))
    run(llm, SHORT_PROMPT, 8)  # warm-up
    pp, ttft = [], []
    for _ in range(runs):
        llm.reset()  # no prompt cache between runs: every run reads the whole prompt
        first, _, _ = run(llm, LONG_PROMPT, 1)
        pp.append(prompt_tokens / first)
        ttft.append(first * 1000)
    print(
        f"prompt processing: ~{prompt_tokens} tokens, {statistics.median(pp):.0f} tok/s; "
        f"time to first token {statistics.median(ttft):.0f} ms (median of {runs})"
    )
    gen = []
    for _ in range(runs):
        llm.reset()
        first, total, tokens = run(llm, SHORT_PROMPT, 128)
        gen.append((tokens - 1) / (total - first))
    print(f"generation: {tokens} chunks, {statistics.median(gen):.1f} tok/s")
    with open("/proc/self/status") as f:
        status = dict(line.split(":", 1) for line in f if ":" in line)
    print(f"RSS {int(status['VmRSS'].split()[0]) / 1024:.1f} MiB, peak {int(status['VmHWM'].split()[0]) / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
