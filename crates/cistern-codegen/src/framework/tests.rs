//! Requests as people write them (not the table's words in the table's order).

use super::*;

fn framework(prompt: &str) -> Framework {
    detect(prompt, None).framework
}

#[test]
fn requests_people_write() {
    let cases = [
        (
            "Build me a todo list app in React with a dark mode toggle",
            Framework::ReactVite,
        ),
        (
            "I need a small SPA with vite that shows the weather, use hooks",
            Framework::ReactVite,
        ),
        (
            "Create a blog with Next.js 14 using the app router and MDX posts",
            Framework::NextJs,
        ),
        ("a nextjs e-commerce storefront", Framework::NextJs),
        (
            "Make a Vue 3 dashboard with Pinia for state",
            Framework::Vue,
        ),
        ("a counter in svelte", Framework::Svelte),
        (
            "Write a Node.js server with Express that serves a JSON API for books",
            Framework::Express,
        ),
        (
            "REST API in Python for managing users with JWT auth",
            Framework::FastApi,
        ),
        (
            "fastapi service that wraps an ML model, with pydantic schemas",
            Framework::FastApi,
        ),
        (
            "A simple Flask website with Jinja templates for a recipe collection",
            Framework::Flask,
        ),
        (
            "Django app with an admin panel to manage inventory",
            Framework::Django,
        ),
        (
            "An HTTP server in Rust using tokio that exposes /health and /items",
            Framework::Axum,
        ),
        (
            "A URL shortener in Go using only the standard library",
            Framework::GoNetHttp,
        ),
        (
            "golang microservice for sending emails",
            Framework::GoNetHttp,
        ),
        (
            "Java Spring Boot REST service for a library catalogue with JPA",
            Framework::SpringBoot,
        ),
        (
            "A landing page for my bakery with a contact form",
            Framework::PlainWeb,
        ),
        (
            "snake game that runs in the browser using canvas, no framework",
            Framework::PlainWeb,
        ),
        (
            "a python script that renames all photos in a folder by date",
            Framework::PythonCli,
        ),
        (
            "command line tool to convert CSV files to JSON",
            Framework::PythonCli,
        ),
        (
            "Rust CLI that counts words in files, using clap",
            Framework::RustCli,
        ),
        ("Write a haiku generator", Framework::Generic),
        ("Implement a linked list", Framework::Generic),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter(|(prompt, expected)| framework(prompt) != *expected)
        .map(|(prompt, expected)| {
            format!(
                "{prompt:?}: {:?}, expected {expected:?}",
                detect(prompt, None)
            )
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn an_explicit_choice_wins() {
    let detection = detect("a react app", Some(Framework::Django));
    assert_eq!(
        (
            detection.framework,
            detection.confidence,
            detection.explicit
        ),
        (Framework::Django, 1.0, true)
    );
}

#[test]
fn confidence_grows_with_clear_evidence() {
    let clear = detect(
        "Next.js app with the app router and server components",
        None,
    );
    let vague = detect("some api", None);
    let tied = detect("a cli tool", None);
    assert!(clear.confidence > 0.8, "{clear:?}");
    assert!(
        tied.confidence < clear.confidence && tied.confidence < 0.6,
        "{tied:?}"
    );
    assert!((0.0..=1.0).contains(&vague.confidence));
    assert_eq!(clear.evidence[0], "next.js");
}

#[test]
fn words_match_whole() {
    // "go" inside "good", "going" and "ago" is not Go; "express" as a verb is weak alone.
    assert_ne!(
        framework("a good app that is going to show photos from ago"),
        Framework::GoNetHttp
    );
}

#[test]
fn names_parse_and_round_trip() {
    for framework in Framework::ALL {
        assert_eq!(
            Framework::from_name(framework.name()),
            Some(framework),
            "{}",
            framework.name()
        );
    }
    assert_eq!(Framework::from_name("Next.js"), Some(Framework::NextJs));
    assert_eq!(
        Framework::from_name("React + Vite"),
        Some(Framework::ReactVite)
    );
    assert_eq!(Framework::from_name("cobol"), None);
}

#[test]
fn a_language_narrows_the_choice() {
    let go = detect_with_language("a REST API for a todo list", None, Some(Language::Go));
    assert_eq!(go.framework, Framework::GoNetHttp, "{go:?}");
    let python = detect_with_language("a REST API for a todo list", None, Some(Language::Python));
    assert_eq!(python.framework, Framework::FastApi);
    let typescript = detect_with_language("a react dashboard", None, Some(Language::Typescript));
    assert_eq!(typescript.framework, Framework::ReactVite);
    // The language outweighs a framework of another language.
    let java = detect_with_language("a react dashboard", None, Some(Language::Java));
    assert_eq!(java.framework, Framework::SpringBoot);
    let css = detect_with_language("a react dashboard", None, Some(Language::Css));
    assert_eq!(css.framework, Framework::PlainWeb);
    assert!(
        Framework::PlainWeb.fits(Language::Javascript) && !Framework::Flask.fits(Language::Rust)
    );
}
