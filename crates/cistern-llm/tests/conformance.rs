//! The conformance suite: every provider adapter through the fake providers
//! (`cistern-llm-fake`), normal answers and injected faults alike.

#[path = "conformance/harness.rs"]
mod harness;

#[path = "conformance/chat.rs"]
mod chat;
#[path = "conformance/faults.rs"]
mod faults;
#[path = "conformance/routing.rs"]
mod routing;
#[path = "conformance/tool_calls.rs"]
mod tool_calls;
