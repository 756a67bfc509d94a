//! `cistern agent apply-edit`, run as the real binary: a reply applied to a directory in
//! place, or refused with the directory untouched.

use std::path::Path;
use std::process::Output;

use crate::binary::cistern;

fn apply(dir: &Path, reply: &str) -> Output {
    let edit = dir.join("..").join(format!(
        "{}.reply.md",
        dir.file_name().and_then(|n| n.to_str()).unwrap_or("x")
    ));
    std::fs::write(&edit, reply).expect("reply");
    cistern()
        .args(["agent", "apply-edit", "--dir"])
        .arg(dir)
        .arg("--edit")
        .arg(&edit)
        .output()
        .expect("run cistern")
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir_all(dir.path().join("proj/src")).expect("mkdir");
    std::fs::write(
        dir.path().join("proj/src/app.py"),
        "def greet():\r\n    return 'hi'\r\n",
    )
    .expect("app");
    std::fs::write(dir.path().join("proj/README.md"), "# Demo\n").expect("readme");
    dir
}

#[test]
fn a_reply_is_applied_in_place_keeping_line_endings() {
    let dir = tree();
    let proj = dir.path().join("proj");
    let reply = "Change it:\n\nsrc/app.py\n```python\n<<<<<<< SEARCH\n    return 'hi'\n=======\n    return 'hello'\n>>>>>>> REPLACE\n```\n\nAnd a new file:\n\n```python src/util.py\nX = 1\n```\n";
    let output = apply(&proj, reply);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(proj.join("src/app.py")).expect("app"),
        "def greet():\r\n    return 'hello'\r\n"
    );
    assert_eq!(
        std::fs::read_to_string(proj.join("src/util.py")).expect("util"),
        "X = 1\n"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("modified  src/app.py") && stdout.contains("created  src/util.py"),
        "{stdout}"
    );
}

#[test]
fn a_refused_reply_leaves_the_directory_untouched_and_says_why() {
    let dir = tree();
    let proj = dir.path().join("proj");
    // The second block does not match: the first, which would, is not applied either.
    let reply = "README.md\n<<<<<<< SEARCH\n# Demo\n=======\n# Demo app\n>>>>>>> REPLACE\n\nsrc/app.py\n<<<<<<< SEARCH\n    return 'bye'\n=======\n    return 'hello'\n>>>>>>> REPLACE\n";
    let output = apply(&proj, reply);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nothing applied"), "{stderr}");
    assert!(stderr.contains("src/app.py"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(proj.join("README.md")).expect("readme"),
        "# Demo\n"
    );
    assert_eq!(
        std::fs::read_to_string(proj.join("src/app.py")).expect("app"),
        "def greet():\r\n    return 'hi'\r\n"
    );
    let leftovers: Vec<_> = walk(&proj)
        .into_iter()
        .filter(|p| p.contains("cistern-edit"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path.display().to_string());
        }
    }
    out
}
