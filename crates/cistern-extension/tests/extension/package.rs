//! Packaging: ZIP round trip, determinism, and diffs.

use cistern_extension::ExtensionFile;
use cistern_extension::package::{unified_diff, unzip, zip_files};

use crate::fixtures::{good, with, without};

#[test]
fn zip_round_trips_every_file_byte_for_byte() {
    let files = good();
    let zip = zip_files(&files).expect("zip");
    let mut back = unzip(&zip).expect("unzip");
    let mut expected = files.clone();
    back.sort_by(|a, b| a.path.cmp(&b.path));
    expected.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(back, expected);
}

#[test]
fn zip_is_deterministic_whatever_the_input_order() {
    let files = good();
    let mut reversed = files.clone();
    reversed.reverse();
    assert_eq!(
        zip_files(&files).expect("a"),
        zip_files(&reversed).expect("b")
    );
    let names: Vec<String> = unzip(&zip_files(&reversed).expect("zip"))
        .expect("unzip")
        .into_iter()
        .map(|f| f.path)
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries in path order");
}

#[test]
fn the_diff_shows_changed_added_and_deleted_files() {
    let old = good();
    let new = with(
        without(old.clone(), "content.css"),
        "options.js",
        "chrome.storage.sync.get('badge');\nconsole.log('v2');\n",
    );
    let new = with(new, "notes.txt", "hello\n");
    let diff = unified_diff(&old, &new);
    assert!(diff.contains("--- a/options.js\n+++ b/options.js\n@@ -1 +1,2 @@\n chrome.storage.sync.get('badge');\n+console.log('v2');\n"), "{diff}");
    assert!(
        diff.contains("--- /dev/null\n+++ b/notes.txt\n@@ -0,0 +1 @@\n+hello\n"),
        "{diff}"
    );
    assert!(
        diff.contains("--- a/content.css\n+++ /dev/null\n"),
        "{diff}"
    );
    assert!(
        !diff.contains("background.js"),
        "unchanged files are not in the diff"
    );
    assert_eq!(unified_diff(&old, &old), "");
    let icon = with(old.clone(), "icons/icon16.png", vec![0x89, 0, 1]);
    assert!(
        unified_diff(&old, &icon)
            .contains("Binary files a/icons/icon16.png and b/icons/icon16.png differ")
    );
    let _: Vec<ExtensionFile> = new;
}
