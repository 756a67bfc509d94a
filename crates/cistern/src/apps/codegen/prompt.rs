//! The messages of a generation's calls: the system prompt for a framework, the user's
//! request, "continue" for a cut-off reply and the repair request naming each broken file.

use cistern_codegen::ProjectFile;
use cistern_codegen::framework::Framework;
use cistern_syntax::Language;

/// The prompts' version, part of the result-cache key: change it with the prompts.
pub const VERSION: &str = "1";

/// The system prompt: how to lay out the reply so every file can be extracted.
pub fn system(framework: Framework, language: Option<Language>) -> String {
    let language = language.map_or(String::new(), |l| format!(" Write it in {}.", l.name()));
    format!(
        "You are a senior engineer. Write a complete, runnable {} project for the user's \
         request.{language}\n\
         Give every file as a fenced code block whose info string names its path, e.g. \
         ```jsx src/App.jsx. Paths are relative to the project root; never absolute, never `..`. \
         Write each file once, whole (no placeholders, no \"rest unchanged\"). Include the \
         manifest (package.json, requirements.txt, Cargo.toml, …) and a short README.md that \
         says how to run it.",
        framework.display_name()
    )
}

/// The user's message.
pub fn user(prompt: &str) -> String {
    prompt.to_owned()
}

/// Asks a cut-off reply to go on.
pub const CONTINUE: &str = "Your reply was cut off. Continue exactly where you stopped: do not \
    repeat anything, do not restart the file, do not add commentary before the continuation.";

/// Asks for the broken files again, naming each file and its errors.
pub fn repair<'a>(broken: impl IntoIterator<Item = &'a ProjectFile>) -> String {
    let mut text = String::from(
        "These files have syntax errors. Reply with each of them again, whole and fixed, as \
         fenced code blocks whose info string names the path:\n",
    );
    for file in broken {
        text.push_str(&format!("\n{}:\n", file.path.as_str()));
        for error in &file.syntax.errors {
            text.push_str(&format!("- {error}\n"));
        }
    }
    text
}
