//! `cistern codegen extract` (a saved model reply → files, offline) and
//! `cistern codegen generate` (a prompt → a project, through a running server: `remote.rs`).

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use cistern_codegen::{ProjectPath, extract};
use serde_json::{Map, Value, json};

/// `cistern codegen extract --reply FILE [--out DIR] [--json]`: the files of a model's reply.
///
/// Without `--json`, writes them under `out` and reports them on `log`; with it, prints
/// `{"files": {path: content}}` on `out_json` instead of writing. An unusable reply (a path
/// outside the project, a block cut off, no files, …) writes nothing and is an error (with
/// `--json`, after printing `{"error": kind, "message": …}`).
pub fn extract_reply(
    reply: &Path,
    dir: Option<&Path>,
    as_json: bool,
    stdout: &mut impl Write,
    log: &mut impl Write,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(reply)
        .with_context(|| format!("cannot read {}", reply.display()))?;
    let extraction = match extract(&text) {
        Ok(extraction) => extraction,
        Err(e) => {
            if as_json {
                let doc = json!({"error": e.kind(), "message": e.to_string()});
                writeln!(stdout, "{doc}")?;
            }
            anyhow::bail!("nothing written: {e}");
        }
    };
    let files: Vec<(ProjectPath, String)> = extraction
        .files
        .into_iter()
        .map(|f| (f.path, f.content))
        .collect();
    if as_json {
        let map: Map<String, Value> = files
            .into_iter()
            .map(|(path, content)| (path.as_str().to_owned(), Value::String(content)))
            .collect();
        writeln!(stdout, "{}", json!({ "files": map }))?;
        return Ok(());
    }
    let dir = dir.context("--out DIR is required unless --json")?;
    write_files(dir, &files)?;
    for (path, content) in &files {
        writeln!(log, "{:>8}  {}", content.len(), path.as_str())?;
    }
    writeln!(log, "{} files written under {}", files.len(), dir.display())?;
    Ok(())
}

/// Writes `files` under `dir` (created as needed). Paths are [`ProjectPath`]s: relative and
/// normalised, so each lands inside `dir`.
pub fn write_files(dir: &Path, files: &[(ProjectPath, String)]) -> anyhow::Result<()> {
    for (path, content) in files {
        let target = dir.join(path.as_str());
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&target, content)
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    Ok(())
}

/// The files of a generation's ZIP, each path checked again as a [`ProjectPath`] (a ZIP from
/// elsewhere could name `../x`).
pub fn unzip(bytes: &[u8]) -> anyhow::Result<Vec<(ProjectPath, String)>> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).context("not a ZIP")?;
    let mut files = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name()?.into_owned();
        let path = ProjectPath::parse(&name)
            .map_err(|e| anyhow::anyhow!("the ZIP names `{name}`: {e}"))?;
        let mut content = String::new();
        entry
            .read_to_string(&mut content)
            .with_context(|| format!("{name} is not UTF-8 text"))?;
        files.push((path, content));
    }
    Ok(files)
}
