//! A file's text as lines that each keep their own ending, so an edit rewrites only the lines
//! it touches: CRLF stays CRLF, a missing final newline stays missing, a BOM stays.

/// How one line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Eol {
    Lf,
    CrLf,
    /// The last line of a file without a final newline.
    None,
}

impl Eol {
    fn as_str(self) -> &'static str {
        match self {
            Eol::Lf => "\n",
            Eol::CrLf => "\r\n",
            Eol::None => "",
        }
    }
}

/// A file split into lines. **Invariant:** `lines.len() == endings.len()`, and only the last
/// ending may be [`Eol::None`]; `render(parse(s)) == s` for every `s`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text {
    pub bom: bool,
    pub lines: Vec<String>,
    endings: Vec<Eol>,
    /// The ending new lines get: the file's majority, LF for a file with none.
    pub eol: Eol,
}

impl Text {
    pub fn parse(source: &str) -> Text {
        let (bom, mut rest) = match source.strip_prefix('\u{feff}') {
            Some(body) => (true, body),
            None => (false, source),
        };
        let mut lines = Vec::new();
        let mut endings = Vec::new();
        while !rest.is_empty() {
            match rest.find('\n') {
                Some(at) => {
                    let line = &rest[..at];
                    match line.strip_suffix('\r') {
                        Some(line) => {
                            lines.push(line.to_owned());
                            endings.push(Eol::CrLf);
                        }
                        None => {
                            lines.push(line.to_owned());
                            endings.push(Eol::Lf);
                        }
                    }
                    rest = &rest[at + 1..];
                }
                None => {
                    lines.push(rest.to_owned());
                    endings.push(Eol::None);
                    rest = "";
                }
            }
        }
        let crlf = endings.iter().filter(|e| **e == Eol::CrLf).count();
        let lf = endings.iter().filter(|e| **e == Eol::Lf).count();
        let eol = if crlf > lf { Eol::CrLf } else { Eol::Lf };
        Text {
            bom,
            lines,
            endings,
            eol,
        }
    }

    /// Whether the file ends with a newline (an empty file counts as ending with one).
    pub fn final_newline(&self) -> bool {
        self.endings.last().is_none_or(|e| *e != Eol::None)
    }

    /// Replaces `lines[start..end]` with `new`, in the file's line ending; the final-newline
    /// state of the file is kept when the range reaches its end.
    pub fn splice(&mut self, start: usize, end: usize, new: Vec<String>) {
        let no_final_newline = end == self.lines.len() && !self.final_newline();
        let endings = vec![self.eol; new.len()];
        self.lines.splice(start..end, new);
        self.endings.splice(start..end, endings);
        if no_final_newline && let Some(last) = self.endings.last_mut() {
            *last = Eol::None;
        }
        if let Some(last) = self.endings.last_mut()
            && *last == Eol::None
            && self.endings.len() > 1
        {
            // Only the last line may lack an ending: a line spliced before it gets one.
            let n = self.endings.len();
            for ending in &mut self.endings[..n - 1] {
                if *ending == Eol::None {
                    *ending = self.eol;
                }
            }
        }
    }

    /// Gives the last line an ending (`true`) or takes it away (`false`); an empty file stays
    /// empty.
    pub fn set_final_newline(&mut self, yes: bool) {
        let eol = self.eol;
        if let Some(last) = self.endings.last_mut() {
            *last = if yes { eol } else { Eol::None };
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.bom {
            out.push('\u{feff}');
        }
        for (line, ending) in self.lines.iter().zip(&self.endings) {
            out.push_str(line);
            out.push_str(ending.as_str());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_render_round_trips() {
        for s in [
            "",
            "a",
            "a\n",
            "a\r\nb\r\n",
            "a\r\nb",
            "\u{feff}x\ny",
            "\n\n",
            "a\rb\n",
        ] {
            assert_eq!(Text::parse(s).render(), s, "{s:?}");
        }
    }

    #[test]
    fn splice_keeps_crlf_and_missing_final_newline() {
        let mut text = Text::parse("a\r\nb\r\nc");
        text.splice(1, 3, vec!["B".into(), "C".into(), "D".into()]);
        assert_eq!(text.render(), "a\r\nB\r\nC\r\nD");
        let mut text = Text::parse("a\nb");
        text.splice(1, 2, vec![]);
        assert_eq!(text.render(), "a");
    }

    #[test]
    fn final_newline_set_and_taken() {
        let mut text = Text::parse("a\r\nb\r\n");
        text.set_final_newline(false);
        assert_eq!(text.render(), "a\r\nb");
        text.set_final_newline(true);
        assert_eq!(text.render(), "a\r\nb\r\n");
        let mut empty = Text::parse("");
        empty.set_final_newline(false);
        assert_eq!(empty.render(), "");
    }
}
