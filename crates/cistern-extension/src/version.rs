//! Extension versions: Chrome's format, semantic bumps, and monotonic growth.
//!
//! Chrome's `version` is 1–4 dot-separated integers, each at most 65535. Cistern writes
//! three (`major.minor.patch`): the first version is `1.0.0`, and each iteration bumps the
//! part the blueprint's change kind names — the model says *what kind* of change it made, the
//! server decides the number, so versions never go backwards or repeat whatever the model
//! writes into `manifest.json`.

use serde_json::{Map, Value};

use crate::contract::ChangeKind;
use crate::validate::MANIFEST;
use crate::{Error, ExtensionFile};

/// The version of a first generation.
pub const FIRST_VERSION: &str = "1.0.0";

/// Checks Chrome's rule for `version`; the error says why, for a finding's message.
pub fn check_manifest_version(version: &str) -> Result<(), String> {
    parse_parts(version).map(|_| ())
}

fn parse_parts(version: &str) -> Result<Vec<u32>, String> {
    let parts: Vec<&str> = version.split('.').collect();
    if version.is_empty() || parts.len() > 4 {
        return Err("it must be 1 to 4 dot-separated integers, like \"1.0.0\"".into());
    }
    parts
        .iter()
        .map(|p| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "`{p}` is not a whole number (only digits and dots are allowed, like \"1.2.0\")"
                ));
            }
            if p.len() > 1 && p.starts_with('0') {
                return Err(format!("`{p}` has a leading zero"));
            }
            match p.parse::<u32>() {
                Ok(n) if n <= 65535 => Ok(n),
                _ => Err(format!("`{p}` is larger than 65535")),
            }
        })
        .collect()
}

/// The version after `previous` for a change of `kind` (`None`: a first generation → `1.0.0`).
///
/// `previous` may have 1–4 parts; missing parts count as 0 and a fourth part is dropped
/// (`1.2.3.4` + patch → `1.2.4`). Fails when `previous` is not a valid version or a part would
/// pass 65535.
pub fn next_version(previous: Option<&str>, kind: ChangeKind) -> Result<String, Error> {
    let Some(previous) = previous else {
        return Ok(FIRST_VERSION.into());
    };
    let parts =
        parse_parts(previous).map_err(|why| Error::Version(format!("`{previous}`: {why}")))?;
    let part = |i: usize| parts.get(i).copied().unwrap_or(0);
    let (major, minor, patch) = (part(0), part(1), part(2));
    let next = match kind {
        ChangeKind::Major => (major + 1, 0, 0),
        ChangeKind::Minor => (major, minor + 1, 0),
        ChangeKind::Patch => (major, minor, patch + 1),
    };
    if next.0 > 65535 || next.1 > 65535 || next.2 > 65535 {
        return Err(Error::Version(format!(
            "bumping `{previous}` would pass 65535"
        )));
    }
    let next = format!("{}.{}.{}", next.0, next.1, next.2);
    ensure_increasing(previous, &next)?;
    Ok(next)
}

/// Fails unless `next` is strictly greater than `previous` (part by part, missing parts = 0).
pub fn ensure_increasing(previous: &str, next: &str) -> Result<(), Error> {
    let parse = |v: &str| parse_parts(v).map_err(|why| Error::Version(format!("`{v}`: {why}")));
    let (mut a, mut b) = (parse(previous)?, parse(next)?);
    a.resize(4, 0);
    b.resize(4, 0);
    if b > a {
        Ok(())
    } else {
        Err(Error::Version(format!(
            "`{next}` is not greater than `{previous}`; versions only increase"
        )))
    }
}

/// Sets the manifest's `version` to `version` (the server's, not the model's).
pub fn set_manifest_version(files: &mut [ExtensionFile], version: &str) -> Result<(), Error> {
    check_manifest_version(version).map_err(Error::Version)?;
    let file = crate::find_file(files, MANIFEST)
        .ok_or_else(|| Error::Manifest("there is no manifest.json".into()))?;
    let Ok(Value::Object(mut manifest)) = serde_json::from_slice::<Value>(&file.content) else {
        return Err(Error::Manifest("manifest.json is not a JSON object".into()));
    };
    manifest.insert("version".into(), Value::String(version.into()));
    write_manifest(files, &manifest)
}

/// Replaces `manifest.json` by this object, pretty-printed.
pub(crate) fn write_manifest(
    files: &mut [ExtensionFile],
    manifest: &Map<String, Value>,
) -> Result<(), Error> {
    let mut bytes =
        serde_json::to_vec_pretty(manifest).map_err(|e| Error::Manifest(e.to_string()))?;
    bytes.push(b'\n');
    let file = crate::files::find_file_mut(files, MANIFEST)
        .ok_or_else(|| Error::Manifest("there is no manifest.json".into()))?;
    file.content = bytes;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_version_rule() {
        for ok in ["1", "1.0", "1.0.0", "1.2.3.4", "65535.0.0", "0.1"] {
            assert_eq!(check_manifest_version(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "1.0.0.0.0",
            "v1.0",
            "1.0-beta",
            "1..0",
            "65536",
            "1.01",
            "1.0.",
            " 1.0",
        ] {
            assert!(
                check_manifest_version(bad).is_err(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn bumps_follow_the_change_kind() {
        assert_eq!(
            next_version(None, ChangeKind::Minor).expect("first"),
            "1.0.0"
        );
        assert_eq!(
            next_version(Some("1.0.0"), ChangeKind::Patch).expect("patch"),
            "1.0.1"
        );
        assert_eq!(
            next_version(Some("1.0.1"), ChangeKind::Minor).expect("minor"),
            "1.1.0"
        );
        assert_eq!(
            next_version(Some("1.4.2"), ChangeKind::Major).expect("major"),
            "2.0.0"
        );
        assert_eq!(
            next_version(Some("1.2"), ChangeKind::Patch).expect("short"),
            "1.2.1"
        );
        assert_eq!(
            next_version(Some("1.2.3.4"), ChangeKind::Patch).expect("four parts"),
            "1.2.4"
        );
        assert!(next_version(Some("1.0.65535"), ChangeKind::Patch).is_err());
        assert!(next_version(Some("garbage"), ChangeKind::Patch).is_err());
    }

    #[test]
    fn versions_only_increase() {
        assert!(ensure_increasing("1.0.0", "1.0.1").is_ok());
        assert!(
            ensure_increasing("1.9.0", "1.10.0").is_ok(),
            "numeric, not lexicographic"
        );
        assert!(ensure_increasing("1.0", "1.0.0.1").is_ok());
        assert!(ensure_increasing("1.0.0", "1.0.0").is_err());
        assert!(
            ensure_increasing("1.0.0", "1.0").is_err(),
            "same version, fewer parts"
        );
        assert!(ensure_increasing("2.0.0", "1.9.9").is_err());
    }
}
