//! Merging an iteration's reply onto its base version.

use super::{Submission, TRUNCATION_MARKER};
use crate::validate::paths::path_problem;
use crate::{Error, ExtensionFile};

/// The new version's files: `base`, minus `submission.deleted_paths`, with every submitted file
/// added or replacing the base file of the same path. Base order is kept; new files follow in
/// submission order.
///
/// Fails — with a message for the model's repair round — when a deleted path is unsafe or not
/// in the base, when a file is both deleted and submitted, or when a submitted file still holds
/// the truncation marker of the iteration prompt (the model copied a file it never saw whole).
/// Unsafe submitted paths are left to validation, which reports them with their codes.
pub fn merge(base: &[ExtensionFile], submission: &Submission) -> Result<Vec<ExtensionFile>, Error> {
    let mut problems = Vec::new();
    for deleted in &submission.deleted_paths {
        if let Some((_, why)) = path_problem(deleted) {
            problems.push(format!("deleted path: {why}"));
        } else if !base.iter().any(|f| &f.path == deleted) {
            problems.push(format!(
                "`{deleted}` is in deleted_paths but is not a current file"
            ));
        } else if submission.files.iter().any(|f| &f.path == deleted) {
            problems.push(format!(
                "`{deleted}` is both in files and in deleted_paths; keep one"
            ));
        }
    }
    for file in &submission.files {
        if file.content.contains(TRUNCATION_MARKER) {
            problems.push(format!(
                "`{}` still contains the \"{TRUNCATION_MARKER}\" marker: you were shown it truncated; \
                 leave it out of `files` to keep it unchanged, or send it complete",
                file.path
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Merge(problems.join("; ")));
    }
    let mut merged: Vec<ExtensionFile> = base
        .iter()
        .filter(|f| !submission.deleted_paths.contains(&f.path))
        .cloned()
        .collect();
    for (i, file) in submission.files.iter().enumerate() {
        // A path submitted twice is kept twice, so validation reports `path.duplicate`.
        let repeated = submission.files[..i].iter().any(|f| f.path == file.path);
        match merged
            .iter_mut()
            .find(|f| f.path == file.path)
            .filter(|_| !repeated)
        {
            Some(existing) => existing.content = file.content.clone().into_bytes(),
            None => merged.push(ExtensionFile::new(file.path.clone(), file.content.clone())),
        }
    }
    Ok(merged)
}
