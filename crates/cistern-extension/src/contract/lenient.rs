//! The blueprint as models actually send it. The tool schema describes one preferred shape
//! (`permissions: [{permission, reason}]`, `file_plan: [{path, role}]`); models that stray from
//! it in ways that leave the meaning plain — another name for the list, a bare string per entry,
//! other key names in an entry, an extra key, no file plan at all — are understood here instead
//! of costing a repair round. What is missing is marked in [`Blueprint::derived`] and filled in
//! from the files by [`Blueprint::fill_in`].
//!
//! The blueprint only informs the user; the files are what is validated. So unknown blueprint
//! keys are ignored, while the top level and every file keep their strict shape.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{Blueprint, ChangeKind, Derived, PermissionReason, PlannedFile};

/// What the blueprint deserializes from; see the module docs.
#[derive(Deserialize)]
pub(super) struct BlueprintInput {
    purpose: String,
    features: Vec<String>,
    #[serde(
        default,
        alias = "permission",
        alias = "permissions_requested",
        alias = "requested_permissions",
        alias = "required_permissions",
        alias = "permissions_needed",
        alias = "permissions_used",
        deserialize_with = "permissions"
    )]
    permissions: Option<Vec<PermissionEntry>>,
    /// Models that mirror the manifest list host patterns apart; they are permissions too.
    #[serde(default, deserialize_with = "permissions")]
    host_permissions: Option<Vec<PermissionEntry>>,
    #[serde(
        default,
        alias = "files_plan",
        alias = "file_structure",
        alias = "files_planned",
        alias = "planned_files",
        deserialize_with = "file_plan"
    )]
    file_plan: Option<Vec<PlannedEntry>>,
    change_kind: ChangeKind,
}

/// The untagged forms below would fail with "did not match any variant"; say what is expected.
fn entries<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
    expected: &str,
) -> Result<Option<Vec<T>>, D::Error> {
    Option::<Value>::deserialize(d)?
        .map(|v| serde_json::from_value(v).map_err(|_| D::Error::custom(expected)))
        .transpose()
}

fn permissions<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<PermissionEntry>>, D::Error> {
    entries(
        d,
        "`blueprint.permissions` must be a list of {\"permission\": name or match pattern, \"reason\": why} objects",
    )
}

fn file_plan<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<PlannedEntry>>, D::Error> {
    entries(
        d,
        "`blueprint.file_plan` must be a list of {\"path\": relative path, \"role\": what the file does} objects",
    )
}

/// `"storage"` or `{"permission": "storage", "reason": "why"}` under common other names.
#[derive(Deserialize)]
#[serde(untagged)]
enum PermissionEntry {
    Name(String),
    Full {
        #[serde(alias = "name", alias = "api", alias = "host", alias = "pattern")]
        permission: String,
        #[serde(
            default,
            alias = "justification",
            alias = "why",
            alias = "rationale",
            alias = "purpose",
            alias = "description"
        )]
        reason: String,
    },
}

impl From<PermissionEntry> for PermissionReason {
    fn from(entry: PermissionEntry) -> Self {
        match entry {
            PermissionEntry::Name(permission) => Self {
                permission,
                reason: String::new(),
            },
            PermissionEntry::Full { permission, reason } => Self { permission, reason },
        }
    }
}

/// `"popup.js"` or `{"path": "popup.js", "role": "what it does"}` under common other names.
#[derive(Deserialize)]
#[serde(untagged)]
enum PlannedEntry {
    Path(String),
    Full {
        #[serde(alias = "file", alias = "name", alias = "filename")]
        path: String,
        #[serde(default, alias = "purpose", alias = "description")]
        role: String,
    },
}

impl From<PlannedEntry> for PlannedFile {
    fn from(entry: PlannedEntry) -> Self {
        match entry {
            PlannedEntry::Path(path) => Self {
                path,
                role: String::new(),
            },
            PlannedEntry::Full { path, role } => Self { path, role },
        }
    }
}

impl From<BlueprintInput> for Blueprint {
    fn from(input: BlueprintInput) -> Self {
        let mut derived = Vec::new();
        let file_plan = match input.file_plan {
            Some(plan) => plan.into_iter().map(PlannedFile::from).collect(),
            None => {
                derived.push(Derived::FilePlan);
                Vec::new()
            }
        };
        if input.permissions.is_none() && input.host_permissions.is_none() {
            derived.push(Derived::Permissions);
        }
        let mut permissions: Vec<PermissionReason> = Vec::new();
        let entries = [input.permissions, input.host_permissions]
            .into_iter()
            .flatten()
            .flatten()
            .map(PermissionReason::from);
        for entry in entries {
            // A host pattern may come in both lists; keep its first entry.
            if !permissions.iter().any(|p| p.permission == entry.permission) {
                permissions.push(entry);
            }
        }
        Blueprint {
            purpose: input.purpose,
            features: input.features,
            permissions,
            file_plan,
            change_kind: input.change_kind,
            derived,
        }
    }
}
