//! Lines that stand for code the model left out: `// ... existing code ...`,
//! `# ... rest unchanged ...`, `/* ... */`, `<!-- ... -->`. Written literally they would
//! delete the code they stand for, so the engine refuses them (see the crate docs).

use std::sync::LazyLock;

use regex::Regex;

/// A comment that starts with an ellipsis, or a comment that says code was kept or left out.
static ELISION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(//+|\#+|--|;+|/\*+|\*|<!--|\{/\*)\s*
        (
          (\.\.\.|…)
        | .*\b(existing\s+code|rest\s+of\s+(the\s+)?(file|code|function|class|method|module|component)
              |(remains?|stays?|is)\s+(the\s+same|unchanged)|omitted\s+for|for\s+brevity
              |same\s+as\s+(before|above)|previous\s+code|other\s+(code|methods|functions|fields))\b
        )",
    )
    .ok()
});

/// Whether `line` is an elision marker.
pub(crate) fn is_elision(line: &str) -> bool {
    ELISION.as_ref().is_some_and(|re| re.is_match(line))
}

/// The first elision in `new` that is not a line already present in `old` (a comment that is
/// really in the file is content, not an elision): its index and trimmed text.
pub(crate) fn find<'a>(new: &'a [String], old: &[String]) -> Option<(usize, &'a str)> {
    new.iter().enumerate().find_map(|(i, line)| {
        let text = line.trim();
        (is_elision(line) && !old.iter().any(|o| o.trim() == text)).then_some((i, text))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_regex_compiles() {
        assert!(ELISION.is_some());
    }

    #[test]
    fn elisions_are_recognised() {
        for line in [
            "// ... existing code ...",
            "    // ...",
            "# ... rest unchanged ...",
            "  # rest of the file is unchanged",
            "/* ... */",
            "<!-- ... -->",
            "{/* ... */}",
            "-- ... other queries",
            "// (previous code omitted for brevity)",
            "    # …",
        ] {
            assert!(is_elision(line), "{line}");
        }
    }

    #[test]
    fn ordinary_lines_are_not_elisions() {
        for line in [
            "    ...", // Python's Ellipsis, a real statement
            "// load the config",
            "# TODO: handle errors",
            "x = a ... b",
            "print('...')",
            "/* the same origin policy */",
        ] {
            assert!(!is_elision(line), "{line}");
        }
    }
}
