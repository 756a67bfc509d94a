//! The chat API (`/api/v1/chat…`, `/api/v1/conversations…`, `/api/v1/memory/facts`) over the
//! wire-level fake provider.

use cistern_llm_fake::{FakeLlm, Fault, Reply};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};
use crate::llm::{spawn_with_fake, with_fake};

mod retry;
mod tools;
mod usage;

/// A server whose chat default model `fast` is the fake provider.
pub(crate) async fn spawn_chat() -> (TestApp, FakeLlm) {
    spawn_with_fake(|_| {}).await
}

async fn send(app: &TestApp, token: &str, body: Value) -> Value {
    app.call_json(Method::POST, "/api/v1/chat", token, Some(body), 200)
        .await
}

/// The whole history, oldest first, following `next_cursor` towards the start.
pub(crate) async fn messages(app: &TestApp, token: &str, conversation: &str) -> Vec<Value> {
    let base = format!("/api/v1/conversations/{conversation}/messages?limit=200");
    let mut history: Vec<Value> = Vec::new();
    let mut path = base.clone();
    for _ in 0..100 {
        let page = app.call_json(Method::GET, &path, token, None, 200).await;
        let mut older = page["items"].as_array().expect("messages").clone();
        older.extend(history);
        history = older;
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{base}&cursor={cursor}"),
            None => break,
        }
    }
    history
}

/// The chat stream's documented events: name → the required fields of its `data`.
fn documented_events() -> std::collections::BTreeMap<String, Vec<String>> {
    let doc = serde_json::to_value(cistern::http::openapi::document()).expect("document");
    let schemas = &doc["components"]["schemas"];
    let mut events = std::collections::BTreeMap::new();
    for variant in schemas["ChatStreamEvent"]["oneOf"]
        .as_array()
        .expect("oneOf")
    {
        let name = variant["properties"]["event"]["enum"][0]
            .as_str()
            .expect("name");
        let data = variant["properties"]["data"]["$ref"]
            .as_str()
            .expect("data ref");
        let data = &schemas[data.rsplit('/').next().expect("name")];
        let required = data["required"].as_array().cloned().unwrap_or_default();
        let required = required
            .iter()
            .filter_map(|f| f.as_str().map(str::to_owned));
        events.insert(name.to_owned(), required.collect());
    }
    events
}

/// Parses an SSE body into (event, data) pairs, checking each against the OpenAPI document.
pub(crate) fn frames(body: &str) -> Vec<(String, Value)> {
    let documented = documented_events();
    let frames = parse_frames(body);
    for (event, data) in &frames {
        let required = documented
            .get(event)
            .unwrap_or_else(|| panic!("event {event} is not in the OpenAPI document"));
        for field in required {
            assert!(
                data.get(field).is_some(),
                "{event} lacks its documented {field}: {data}"
            );
        }
    }
    frames
}

fn parse_frames(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter_map(|frame| {
            let mut event = None;
            let mut data = None;
            for line in frame.lines() {
                if let Some(e) = line.strip_prefix("event: ") {
                    event = Some(e.to_owned());
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data = Some(serde_json::from_str(d).expect("data is JSON"));
                }
            }
            Some((event?, data?))
        })
        .collect()
}

#[tokio::test]
async fn a_turn_is_answered_and_stored_as_history() {
    let (app, fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;
    fake.enqueue(Reply::text("Hello Ada.").usage(10, 3));
    let first = send(&app, &user.access, json!({"message": "Hi, I'm Ada."})).await;
    assert_eq!(first["message"], "Hello Ada.");
    assert_eq!(first["message_count"], 2);
    let id = first["conversation_id"].as_str().expect("id").to_owned();

    fake.enqueue(Reply::text("You are Ada.").usage(20, 3));
    let next = send(
        &app,
        &user.access,
        json!({"message": "Who am I?", "conversation_id": id}),
    )
    .await;
    assert_eq!(next["message_count"], 4);
    assert_eq!(next["conversation_id"], id.as_str());

    let history = messages(&app, &user.access, &id).await;
    let texts: Vec<(&str, &str)> = history
        .iter()
        .map(|m| (m["role"].as_str().unwrap(), m["content"].as_str().unwrap()))
        .collect();
    assert_eq!(
        texts,
        [
            ("user", "Hi, I'm Ada."),
            ("assistant", "Hello Ada."),
            ("user", "Who am I?"),
            ("assistant", "You are Ada.")
        ]
    );
    // The second call carried the first turn as context.
    let last = fake.requests().last().expect("requests").body.to_string();
    assert!(last.contains("Hello Ada."), "{last}");

    // Paging: the newest two, then the older two.
    let page = app
        .call_json(
            Method::GET,
            &format!("/api/v1/conversations/{id}/messages?limit=2"),
            &user.access,
            None,
            200,
        )
        .await;
    assert_eq!(page["items"][0]["seq"], 3);
    assert_eq!(page["next_cursor"], "3");
    let older = app
        .call_json(
            Method::GET,
            &format!("/api/v1/conversations/{id}/messages?limit=2&cursor=3"),
            &user.access,
            None,
            200,
        )
        .await;
    assert_eq!(older["items"][0]["content"], "Hi, I'm Ada.");

    let list = app
        .call_json(
            Method::GET,
            "/api/v1/conversations",
            &user.access,
            None,
            200,
        )
        .await;
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_eq!(list["items"][0]["message_count"], 4);
    app.stop().await;
}

#[tokio::test]
async fn a_streamed_turn_sends_tokens_then_done_with_usage() {
    let (app, fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;
    fake.enqueue(Reply::text("one two three four").chunks(4).usage(5, 4));
    let response = app
        .call(
            Method::POST,
            "/api/v1/chat/stream",
            Some(&user.access),
            Some(json!({"message": "count"})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("body");
    let frames = frames(&body);
    let names: Vec<&str> = frames.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(names.first(), Some(&"started"), "{body}");
    assert_eq!(names.last(), Some(&"done"), "{body}");
    let tokens: String = frames
        .iter()
        .filter(|(e, _)| e == "token")
        .map(|(_, d)| d["text"].as_str().unwrap())
        .collect();
    assert_eq!(tokens, "one two three four");
    assert!(
        names.iter().filter(|n| **n == "token").count() >= 2,
        "{body}"
    );
    let done = &frames.last().unwrap().1;
    assert_eq!(done["message"], "one two three four");
    assert_eq!(done["message_count"], 2);
    assert_eq!(done["usage"]["output_tokens"], 4);
    assert_eq!(done["usage"]["input_tokens"], 5);

    let id = done["conversation_id"].as_str().unwrap();
    let history = messages(&app, &user.access, id).await;
    assert_eq!(history[1]["content"], "one two three four");
    assert_eq!(history[1]["status"], "complete");
    app.stop().await;
}

#[tokio::test]
async fn a_stream_cut_by_the_provider_ends_in_an_error_and_is_not_stored_as_complete() {
    let (app, fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;
    fake.enqueue(Fault::CutStream { after_chunks: 2 });
    let response = app
        .call(
            Method::POST,
            "/api/v1/chat/stream",
            Some(&user.access),
            Some(json!({"message": "tell me a long story"})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("body");
    let frames = frames(&body);
    let (last, error) = frames.last().expect("frames");
    assert_eq!(last, "error", "{body}");
    assert!(
        !error["message"].as_str().unwrap_or("").is_empty(),
        "{body}"
    );
    assert!(frames.iter().all(|(e, _)| e != "done"), "{body}");
    let id = frames[0].1["conversation_id"].as_str().expect("started");

    let history = messages(&app, &user.access, id).await;
    assert_eq!(
        history[0]["status"], "complete",
        "the user's message is kept"
    );
    let reply = history.get(1).expect("the partial reply is kept");
    assert_eq!(reply["role"], "assistant");
    assert_eq!(reply["status"], "error", "{reply}");
    app.stop().await;
}

#[tokio::test]
async fn history_survives_a_restart() {
    let (app, fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;
    fake.enqueue(Reply::text("Noted."));
    let first = send(&app, &user.access, json!({"message": "Remember 42."})).await;
    let id = first["conversation_id"].as_str().unwrap().to_owned();
    // The same stores again: the data dir (SQLite) and, on PostgreSQL, the same database.
    let database = app.state.config.database.url.clone();
    let dir = app.stop().await;

    let base = with_fake(&fake);
    let app = TestApp::builder()
        .data_dir(dir)
        .config(move |c| {
            base(c);
            c.database.url = database;
        })
        .spawn()
        .await;
    let login = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "ada@example.com", "password": crate::helpers::PASSWORD})),
        )
        .await;
    assert_eq!(login.status(), 200);
    let session = crate::helpers::Session::from(login.json::<Value>().await.expect("tokens"));
    let history = messages(&app, &session.access, &id).await;
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["content"], "Noted.");
    fake.enqueue(Reply::text("It was 42."));
    let next = send(
        &app,
        &session.access,
        json!({"message": "What was it?", "conversation_id": id}),
    )
    .await;
    assert_eq!(next["message_count"], 4);
    app.stop().await;
}

#[tokio::test]
async fn another_users_conversation_is_not_found() {
    let (app, fake) = spawn_chat().await;
    let a = app.register("a@example.com").await;
    let b = app.register("b@example.com").await;
    fake.enqueue(Reply::text("secret reply"));
    let first = send(&app, &a.access, json!({"message": "my secret"})).await;
    let id = first["conversation_id"].as_str().unwrap();

    let list = app
        .call_json(Method::GET, "/api/v1/conversations", &b.access, None, 200)
        .await;
    assert_eq!(list["items"], json!([]));
    for (method, path, body) in [
        (
            Method::GET,
            format!("/api/v1/conversations/{id}/messages"),
            None,
        ),
        (Method::GET, format!("/api/v1/conversations/{id}"), None),
        (
            Method::PATCH,
            format!("/api/v1/conversations/{id}"),
            Some(json!({"title": "mine"})),
        ),
        (Method::DELETE, format!("/api/v1/conversations/{id}"), None),
        (
            Method::POST,
            "/api/v1/chat".to_owned(),
            Some(json!({"message": "hi", "conversation_id": id})),
        ),
        (
            Method::POST,
            "/api/v1/chat/stream".to_owned(),
            Some(json!({"message": "hi", "conversation_id": id})),
        ),
    ] {
        let response = app.call(method.clone(), &path, Some(&b.access), body).await;
        assert_error(response, 404, "not_found").await;
    }
    // A's conversation is untouched.
    let history = messages(&app, &a.access, id).await;
    assert_eq!(history.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn conversations_are_renamed_and_deleted() {
    let (app, fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;
    fake.enqueue(Reply::text("hi"));
    let first = send(&app, &user.access, json!({"message": "first line\nsecond"})).await;
    let id = first["conversation_id"].as_str().unwrap();
    let path = format!("/api/v1/conversations/{id}");
    let renamed = app
        .call_json(
            Method::PATCH,
            &path,
            &user.access,
            Some(json!({"title": "Trip planning"})),
            200,
        )
        .await;
    assert_eq!(renamed["title"], "Trip planning");
    let list = app
        .call_json(
            Method::GET,
            "/api/v1/conversations",
            &user.access,
            None,
            200,
        )
        .await;
    assert_eq!(list["items"][0]["title"], "Trip planning");

    let deleted = app
        .call(Method::DELETE, &path, Some(&user.access), None)
        .await;
    assert_eq!(deleted.status(), 204);
    let gone = app.call(Method::GET, &path, Some(&user.access), None).await;
    assert_error(gone, 404, "not_found").await;
    let list = app
        .call_json(
            Method::GET,
            "/api/v1/conversations",
            &user.access,
            None,
            200,
        )
        .await;
    assert_eq!(list["items"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn facts_are_added_searched_and_deleted_per_user() {
    let (app, _fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;
    let other = app.register("bob@example.com").await;
    let add = |content: &'static str| {
        let app = &app;
        let token = user.access.clone();
        async move {
            app.call_json(
                Method::POST,
                "/api/v1/memory/facts",
                &token,
                Some(json!({"content": content})),
                201,
            )
            .await
        }
    };
    let cat = add("My cat is called Turing").await;
    add("I live in Lisbon").await;

    let all = app
        .call_json(Method::GET, "/api/v1/memory/facts", &user.access, None, 200)
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let found = app
        .call_json(
            Method::GET,
            "/api/v1/memory/facts?q=cat",
            &user.access,
            None,
            200,
        )
        .await;
    assert_eq!(found["items"][0]["content"], "My cat is called Turing");
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");

    // Bob sees none of them and cannot delete them.
    let theirs = app
        .call_json(
            Method::GET,
            "/api/v1/memory/facts?q=cat",
            &other.access,
            None,
            200,
        )
        .await;
    assert_eq!(theirs["items"], json!([]));
    let fact = format!("/api/v1/memory/facts/{}", cat["id"].as_str().unwrap());
    let response = app
        .call(Method::DELETE, &fact, Some(&other.access), None)
        .await;
    assert_error(response, 404, "not_found").await;

    let response = app
        .call(Method::DELETE, &fact, Some(&user.access), None)
        .await;
    assert_eq!(response.status(), 204);
    let all = app
        .call_json(Method::GET, "/api/v1/memory/facts", &user.access, None, 200)
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);

    // The system prompt round-trips.
    let set = app
        .call(
            Method::PUT,
            "/api/v1/chat/system-prompt",
            Some(&user.access),
            Some(json!({"system_prompt": "Answer in French."})),
        )
        .await;
    assert_eq!(set.status(), 200);
    let got = app
        .call_json(
            Method::GET,
            "/api/v1/chat/system-prompt",
            &user.access,
            None,
            200,
        )
        .await;
    assert_eq!(got["system_prompt"], "Answer in French.");
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_a_422_naming_the_field() {
    let (app, _fake) = spawn_chat().await;
    let user = app.register("ada@example.com").await;
    let t = Some(user.access.as_str());
    let cases = [
        (
            Method::POST,
            "/api/v1/chat",
            Some(json!({"message": "  "})),
            "message",
        ),
        (
            Method::POST,
            "/api/v1/chat/stream",
            Some(json!({"message": ""})),
            "message",
        ),
        (
            Method::POST,
            "/api/v1/chat",
            Some(json!({"message": "hi", "model": ""})),
            "model",
        ),
        (
            Method::POST,
            "/api/v1/chat",
            Some(json!({"message": "x".repeat(cistern_agents::MAX_MESSAGE_BYTES + 1)})),
            "message",
        ),
        (Method::GET, "/api/v1/conversations?limit=0", None, "limit"),
        (
            Method::POST,
            "/api/v1/memory/facts",
            Some(json!({"content": ""})),
            "content",
        ),
        (Method::GET, "/api/v1/memory/facts?q=", None, "q"),
        (
            Method::PUT,
            "/api/v1/chat/system-prompt",
            Some(json!({"system_prompt": "x".repeat(cistern_agents::MAX_SYSTEM_PROMPT_BYTES + 1)})),
            "system_prompt",
        ),
    ];
    for (method, path, body, field) in cases {
        let response = app.call(method, path, t, body).await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(body["error"]["details"]["field"], field, "{path}: {body}");
    }
    let response = app
        .call(
            Method::GET,
            "/api/v1/conversations/nope/messages?cursor=x",
            t,
            None,
        )
        .await;
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["details"]["field"], "cursor", "{body}");
    let response = app
        .call(
            Method::PATCH,
            "/api/v1/conversations/nope",
            t,
            Some(json!({"title": ""})),
        )
        .await;
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["details"]["field"], "title", "{body}");
    // A body that is not the expected shape is still the JSON envelope.
    let response = app
        .call(Method::POST, "/api/v1/chat", t, Some(json!({"msg": "hi"})))
        .await;
    assert!(response.status().is_client_error());
    app.stop().await;
}

#[tokio::test]
async fn without_a_provider_chat_answers_503_with_the_gateways_message() {
    let app = TestApp::builder()
        .config(|c| c.llm.passthrough = false)
        .spawn()
        .await;
    let user = app.register("ada@example.com").await;
    for path in ["/api/v1/chat", "/api/v1/chat/stream"] {
        let response = app
            .call(
                Method::POST,
                path,
                Some(&user.access),
                Some(json!({"message": "hi"})),
            )
            .await;
        let message = assert_error(response, 503, "not_configured").await;
        assert!(message.contains("OPENAI_API_KEY"), "{message}");
    }
    app.stop().await;
}

/// The consistency test: 200 concurrent turns on one user's conversation, split over
/// two server instances sharing one PostgreSQL database. Skips without a test PostgreSQL.
#[tokio::test]
async fn two_hundred_concurrent_turns_through_two_instances_are_all_stored_in_order() {
    let fake = FakeLlm::builder()
        .fixed_reply(Reply::text("ok").usage(1, 1))
        .start()
        .await
        .expect("fake provider");
    let base = with_fake(&fake);
    let Some(first) = TestApp::builder()
        .scale_out()
        .config(move |c| {
            base(c);
        })
        .try_spawn()
        .await
    else {
        eprintln!("skipped: no test PostgreSQL/S3");
        return;
    };
    let url = first.state.config.database_url();
    let base = with_fake(&fake);
    let second = TestApp::builder()
        .config(move |c| {
            base(c);
            c.database.url = cistern::config::Secret::new(url);
        })
        .spawn()
        .await;
    let user = first.register("hot@example.com").await;
    let opened = send(&first, &user.access, json!({"message": "start"})).await;
    let id = opened["conversation_id"].as_str().unwrap().to_owned();

    let turns = (0..200).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        let token = user.access.clone();
        let id = id.clone();
        async move {
            send(
                app,
                &token,
                json!({"message": format!("turn {i}"), "conversation_id": id}),
            )
            .await
        }
    });
    let replies = futures::future::join_all(turns).await;
    let mut counts: Vec<i64> = replies
        .iter()
        .map(|r| r["message_count"].as_i64().unwrap())
        .collect();
    counts.sort_unstable();
    let expected: Vec<i64> = (0..200).map(|i| 4 + 2 * i).collect();
    assert_eq!(
        counts, expected,
        "every turn got its own exact message_count"
    );

    let history = messages(&second, &user.access, &id).await;
    assert_eq!(history.len(), 402);
    for (i, m) in history.iter().enumerate() {
        assert_eq!(m["seq"], i as i64 + 1, "gapless");
        let role = if i % 2 == 0 { "user" } else { "assistant" };
        assert_eq!(m["role"], role, "each reply follows its message: {m}");
        assert_eq!(m["status"], "complete");
    }
    second.stop().await;
    first.stop().await;
}
