-- wrk script: POST an OpenAI chat completion to fake-llm (docs/benchmarks.md, "Fake LLM upstream").
-- STREAM=1 asks for a streamed reply.
wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench"
local stream = os.getenv("STREAM") == "1"
wrk.body = '{"model":"gpt-4o-mini","stream":' .. (stream and "true" or "false")
  .. ',"messages":[{"role":"system","content":"You are terse."},'
  .. '{"role":"user","content":"Tell me something about cisterns."}]}'
