//! Indentation levels, for the indentation-relative match: a SEARCH shifted by whole levels
//! matches, and its REPLACE is shifted by the same levels in the file's own tabs or spaces.

/// What one indentation level is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Tab,
    Spaces(usize),
}

/// A line's indentation: whole levels, then spaces that make no level (alignment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Indent {
    pub level: isize,
    pub rem: usize,
}

pub(crate) fn split(line: &str) -> (&str, &str) {
    let rest = line.trim_start_matches([' ', '\t']);
    (&line[..line.len() - rest.len()], rest)
}

impl Unit {
    /// The unit of a file: tabs when most indented lines start with one, else the greatest
    /// common divisor of the space indents (4 when it says nothing useful).
    pub fn of_file(lines: &[String]) -> Unit {
        Unit::of(lines.iter().map(String::as_str)).unwrap_or(Unit::Spaces(4))
    }

    /// The unit a model wrote in, from its SEARCH and REPLACE lines; `None` when no line is
    /// indented.
    pub fn of<'a>(lines: impl Iterator<Item = &'a str>) -> Option<Unit> {
        let mut tabs = 0usize;
        let mut spaced = 0usize;
        let mut gcd = 0usize;
        for line in lines {
            if line.trim().is_empty() {
                continue;
            }
            let (indent, _) = split(line);
            if indent.starts_with('\t') {
                tabs += 1;
            } else if !indent.is_empty() {
                spaced += 1;
                gcd = gcd_of(gcd, indent.len());
            }
        }
        if tabs == 0 && spaced == 0 {
            None
        } else if tabs >= spaced {
            Some(Unit::Tab)
        } else if gcd >= 2 {
            Some(Unit::Spaces(gcd.min(8)))
        } else {
            Some(Unit::Spaces(gcd.max(1)))
        }
    }

    pub fn measure(self, indent: &str) -> Indent {
        match self {
            Unit::Tab => {
                let tabs = indent.chars().take_while(|c| *c == '\t').count();
                Indent {
                    level: tabs as isize,
                    rem: indent.len() - tabs,
                }
            }
            Unit::Spaces(n) => {
                let width: usize = indent.chars().map(|c| if c == '\t' { n } else { 1 }).sum();
                Indent {
                    level: (width / n) as isize,
                    rem: width % n,
                }
            }
        }
    }

    pub fn render(self, indent: Indent) -> String {
        let level = indent.level.max(0) as usize;
        match self {
            Unit::Tab => format!("{}{}", "\t".repeat(level), " ".repeat(indent.rem)),
            Unit::Spaces(n) => " ".repeat(level * n + indent.rem),
        }
    }
}

fn gcd_of(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd_of(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_detected() {
        let tabbed: Vec<String> = ["fn a() {", "\tx();", "\t\ty();", "}"]
            .map(String::from)
            .into();
        assert_eq!(Unit::of_file(&tabbed), Unit::Tab);
        let spaced: Vec<String> = ["def a():", "    x()", "        y()"]
            .map(String::from)
            .into();
        assert_eq!(Unit::of_file(&spaced), Unit::Spaces(4));
        assert_eq!(Unit::of(["a", "b"].into_iter()), None);
    }

    #[test]
    fn levels_render_in_the_unit() {
        let indent = Unit::Spaces(4).measure("        ");
        assert_eq!(indent, Indent { level: 2, rem: 0 });
        assert_eq!(Unit::Tab.render(indent), "\t\t");
        assert_eq!(Unit::Spaces(2).render(Indent { level: 1, rem: 1 }), "   ");
    }
}
