//! A 100 MB input without a single newline goes through the streaming parser
//! with bounded memory. Its own test binary, so that the process's peak
//! resident memory (VmHWM, Linux) measures this test alone.

use cistern_logs::lines::MAX_LINE_BYTES;
use cistern_logs::parse_reader;

/// `len` bytes of a repeating pattern, produced on the fly (never held in memory).
struct Endless {
    left: usize,
    pattern: &'static [u8],
    at: usize,
}

impl std::io::Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.left);
        for b in &mut buf[..n] {
            *b = self.pattern[self.at % self.pattern.len()];
            self.at += 1;
        }
        self.left -= n;
        Ok(n)
    }
}

fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn hundred_megabytes_without_newline_stay_bounded() {
    const INPUT: usize = 100 * 1024 * 1024;
    let before = peak_rss_kib();
    for pattern in [&b"a"[..], b"7 ", b"x=1,y=2 "] {
        let reader = std::io::BufReader::new(Endless {
            left: INPUT,
            pattern,
            at: 0,
        });
        let out = parse_reader(reader).expect("in-memory read");
        // One line, cut at the cap: one template, and no stored text longer than
        // the capped line could mask into (a wildcard is at most 3 bytes per byte).
        assert_eq!(out.line_templates.len(), 1);
        assert_eq!(out.templates.len(), 1);
        let longest = out.templates.iter().map(|t| t.template.len()).max();
        assert!(
            longest.is_some_and(|l| l <= 3 * MAX_LINE_BYTES),
            "template of {longest:?} bytes"
        );
    }
    if let (Some(before), Some(after)) = (before, peak_rss_kib()) {
        // 300 MB went through; the parser may keep a few copies of one capped
        // line, never the input.
        let grown_mib = after.saturating_sub(before) / 1024;
        assert!(grown_mib < 16, "peak RSS grew by {grown_mib} MiB");
    }
}
