"""Runs the official OpenAI Python SDK against Cistern's /v1 API.

Driven by tests/api/llm_sdk.rs, which starts the server in front of a scripted fake provider and
passes OPENAI_BASE_URL / OPENAI_API_KEY (a Cistern API key). Exits non-zero with a message on
the first mismatch.
"""

import json
import sys

import openai
from openai import OpenAI


def check(what, got, want):
    if got != want:
        sys.exit(f"{what}: got {got!r}, want {want!r}")


def main():
    client = OpenAI(max_retries=0, timeout=30)

    # Plain.
    reply = client.chat.completions.create(
        model="fast",
        messages=[{"role": "user", "content": "Say hello"}],
        max_completion_tokens=50,
        stop=["\n\n"],
    )
    check("plain content", reply.choices[0].message.content, "Hello from the fake model.")
    check("plain finish", reply.choices[0].finish_reason, "stop")
    check("plain usage", (reply.usage.prompt_tokens, reply.usage.completion_tokens), (9, 5))

    # Streaming with usage.
    stream = client.chat.completions.create(
        model="fast",
        messages=[{"role": "user", "content": "Count"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    text, usage, finish = "", None, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    check("stream content", text, "one two three four five")
    check("stream finish", finish, "stop")
    check("stream usage", usage and usage.completion_tokens, 5)

    # A forced tool call.
    tools = [{
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather in a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }]
    reply = client.chat.completions.create(
        model="fast",
        messages=[{"role": "user", "content": "Weather in Oslo?"}],
        tools=tools,
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    call = reply.choices[0].message.tool_calls[0]
    check("tool name", call.function.name, "get_weather")
    check("tool arguments", json.loads(call.function.arguments), {"city": "Oslo"})
    check("tool finish", reply.choices[0].finish_reason, "tool_calls")

    # Errors surface as the SDK's typed exceptions.
    try:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
        sys.exit("unknown model: no error raised")
    except openai.NotFoundError as e:
        check("unknown model code", e.code, "model_not_found")

    models = [m.id for m in client.models.list()]
    check("models", models, ["fast"])
    print("openai sdk", openai.__version__, "ok")


if __name__ == "__main__":
    main()
