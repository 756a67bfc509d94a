//! The `submit_extension` tool the model is forced to call.

use serde_json::{Value, json};

/// The tool's name.
pub const TOOL_NAME: &str = "submit_extension";

/// The tool's description, shown to the model.
pub const TOOL_DESCRIPTION: &str = "Submit the Chrome extension (Manifest V3): first a blueprint that plans it, \
then its files. Every file's content is a JSON string: escape newlines as \\n and quotes as \\\".";

/// The JSON schema of the tool's arguments. With `iteration`, `files` holds only new or changed
/// files and `deleted_paths` lists removed ones; otherwise `files` is the whole extension.
///
/// The blueprint's properties describe the preferred shape, but the schema — which the gateway
/// also checks the call against, spending a model round on a mismatch — refuses nothing the
/// lenient parser understands: `permissions` and `file_plan` are not required (they are filled
/// in from the files), entries may be bare strings, and unknown blueprint keys pass. The top
/// level and the files stay strict.
pub fn tool_parameters_schema(iteration: bool) -> Value {
    let files_description = if iteration {
        "Only the files you add or change, each complete. Unchanged files are kept as they are."
    } else {
        "Every file of the extension, each complete, starting with manifest.json."
    };
    let mut properties = json!({
        "blueprint": {
            "type": "object",
            "description": "Plan the extension before writing code.",
            "properties": {
                "purpose": {"type": "string", "description": "What the extension does for the user, in one or two sentences."},
                "features": {"type": "array", "items": {"type": "string"}, "description": "User-visible features."},
                "permissions": {
                    "type": "array",
                    "description": "Every entry of permissions and host_permissions in the manifest, with why it is needed (empty if none). Ask for as few as possible.",
                    "items": entry(
                        ("permission", "Permission name (e.g. storage) or host match pattern (e.g. https://*.example.com/*)."),
                        ("reason", "Why the extension needs it."),
                    )
                },
                "file_plan": {
                    "type": "array",
                    "description": "Every file of the finished extension and its role.",
                    "items": entry(("path", "Relative path, as in files."), ("role", "What the file does."))
                },
                "change_kind": {
                    "type": "string",
                    "enum": ["patch", "minor", "major"],
                    "description": "patch: fixes and polish; minor: new features; major: redesign or removed features. Use major for a first version."
                }
            },
            "required": ["purpose", "features", "change_kind"]
        },
        "files": {
            "type": "array",
            "description": files_description,
            "items": {
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "Relative path with / separators, e.g. popup/popup.js. No leading /, no .."},
                    "content": {"type": "string", "description": "The complete file as text."}
                },
                "required": ["path", "content"],
                "additionalProperties": false
            }
        }
    });
    let mut required = vec!["blueprint", "files"];
    if iteration {
        if let Some(props) = properties.as_object_mut() {
            props.insert(
                "deleted_paths".into(),
                json!({"type": "array", "items": {"type": "string"}, "description": "Paths of current files to remove; empty if none."}),
            );
        }
        required.push("deleted_paths");
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false
    })
}

/// A list entry of the blueprint: preferably an object with a name and a text, each described;
/// a bare name (a string) is understood too. Nothing is required inside the object: the parser
/// knows other names for both keys, and a missing text is filled in or left empty.
fn entry(name: (&str, &str), text: (&str, &str)) -> Value {
    json!({
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    name.0: {"type": "string", "description": name.1},
                    text.0: {"type": "string", "description": text.1}
                }
            },
            {"type": "string"}
        ]
    })
}
