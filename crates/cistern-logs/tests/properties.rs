//! Property tests: the parser never panics, masks consistently, and keeps
//! memory bounded on hostile input.

use cistern_logs::lines::{LineReader, MAX_LINE_BYTES, lines};
use cistern_logs::mask::{WILDCARD, mask_token};
use cistern_logs::{LogFormat, MinerConfig, Parser, parse_reader, parse_text};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let text = String::from_utf8_lossy(&bytes);
        let out = parse_text(&text);
        prop_assert_eq!(out.line_templates.len(), lines(&text).count());
        let _ = parse_reader(&bytes[..]).expect("in-memory read");
        let _ = cistern_logs::analyze(&text, cistern_logs::WindowSpec::Lines(7));
    }

    #[test]
    fn arbitrary_log_like_lines_never_panic(
        lines_in in proptest::collection::vec("[ -~\t]{0,120}", 1..60)
    ) {
        let text = lines_in.join("\n");
        let fmt = LogFormat::detect(lines(&text));
        let mut p = Parser::new(fmt, MinerConfig::default());
        for l in lines(&text) {
            let _ = p.push(l);
        }
        let t = p.finish();
        prop_assert_eq!(t.of_sig.len(), p.miner().signature_count());
    }

    /// Numbers never survive masking, whatever surrounds them.
    #[test]
    fn numbers_are_masked(prefix in "[a-z]{0,6}", n in 0u64..u64::MAX, sep in "[=:]") {
        let tok = format!("{prefix}{sep}{n}");
        let mut out = String::new();
        mask_token(&tok, &mut out);
        prop_assert!(out.ends_with(WILDCARD), "{} -> {}", tok, out);
        prop_assert!(!out.bytes().any(|c| c.is_ascii_digit()), "{} -> {}", tok, out);
    }

    /// Plain words are never masked.
    #[test]
    fn words_are_kept(w in "[A-Za-z]{1,20}") {
        prop_assume!(!["true", "false", "null"].iter().any(|d| w.eq_ignore_ascii_case(d)));
        let mut out = String::new();
        prop_assert!(!mask_token(&w, &mut out));
        prop_assert_eq!(out, w);
    }

    /// Masking is a function of the token: the same token masks the same way.
    #[test]
    fn masking_is_deterministic(tok in "[ -~]{1,40}") {
        let (mut a, mut b) = (String::new(), String::new());
        mask_token(&tok, &mut a);
        mask_token(&tok, &mut b);
        prop_assert_eq!(a, b);
    }

    /// Masking a masked token changes nothing: templates are fixed points.
    #[test]
    fn masking_is_idempotent(tok in "[ -~]{1,40}") {
        prop_assume!(!tok.contains(' '));
        let mut once = String::new();
        mask_token(&tok, &mut once);
        let mut twice = String::new();
        mask_token(&once, &mut twice);
        prop_assert_eq!(&twice, &once, "{}", tok);
    }

    /// Numbers never reach a template, whatever words surround them and however
    /// many messages share the words.
    #[test]
    fn numbers_never_leak_into_templates(
        msgs in proptest::collection::vec(
            proptest::collection::vec(
                prop_oneof![
                    "[a-zA-Z]{1,10}",
                    "[0-9]{1,12}",
                    "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
                    "[0-9]{1,4}(ms|s|%)",
                    "[a-z]{1,6}[=:][0-9]{1,8}",
                ],
                1..12,
            ),
            1..40,
        )
    ) {
        let text: String = msgs.iter().map(|m| m.join(" ") + "\n").collect();
        let out = parse_text(&text);
        for t in &out.templates {
            prop_assert!(!t.template.bytes().any(|c| c.is_ascii_digit()), "{:?}", t.template);
        }
        prop_assert_eq!(out.line_templates.len(), msgs.len());
    }

    /// Detection is a function of its sample, and splitting never panics or
    /// returns text that is not part of the line.
    #[test]
    fn detection_is_deterministic_and_splits_stay_inside_the_line(
        lines_in in proptest::collection::vec("[ -~]{0,80}", 1..40)
    ) {
        let a = LogFormat::detect(lines_in.iter().map(String::as_str));
        let b = LogFormat::detect(lines_in.iter().map(String::as_str));
        prop_assert_eq!(&a, &b);
        for l in &lines_in {
            if let Some(s) = a.split(l)
                && matches!(a, LogFormat::Header(_) | LogFormat::Plain)
            {
                prop_assert!(l.contains(s.content.as_ref()), "{:?} -> {:?}", l, s.content);
            }
        }
    }

    /// Java/Log4j-style lines: the header (date, time, level, thread, logger) is
    /// found and stripped, the level read.
    #[test]
    fn log4j_header_is_detected(
        thread in "[a-z]{3,8}-[0-9]{1,2}",
        logger in "[a-z]{2,5}(\\.[a-z]{2,6}){1,3}\\.[A-Z][a-z]{3,8}",
        msg in "[a-z]{2,8}( [a-z]{2,8}){0,5}",
    ) {
        let text: String = (0..30)
            .map(|i| format!(
                "2024-03-{:02} 10:{:02}:{:02},{:03} {} [{thread}] {logger}: {msg}\n",
                1 + i % 28, i % 60, (i * 7) % 60, i * 3,
                if i % 3 == 0 { "WARN" } else { "INFO" }
            ))
            .collect();
        let fmt = LogFormat::detect(lines(&text));
        prop_assert!(matches!(fmt, LogFormat::Header(_)), "{:?}", fmt);
        let first = lines(&text).next().expect("line");
        let split = fmt.split(first).expect("fits");
        prop_assert_eq!(split.content.as_ref(), msg.as_str());
        prop_assert_eq!(split.level, Some(cistern_logs::Level::Warn));
        prop_assert!(split.timestamp.is_some());
    }

    /// JSON lines are recognised whatever the key order, and the message is read from them.
    #[test]
    fn json_lines_are_detected(msg in "[a-z]{2,8}( [a-z]{2,8}){0,4}", swap in any::<bool>()) {
        let text: String = (0..20)
            .map(|i| if swap {
                format!("{{\"msg\":\"{msg}\",\"level\":\"info\",\"n\":{i}}}\n")
            } else {
                format!("{{\"level\":\"info\",\"n\":{i},\"msg\":\"{msg}\"}}\n")
            })
            .collect();
        let fmt = LogFormat::detect(lines(&text));
        prop_assert_eq!(&fmt, &LogFormat::Json);
        let s = fmt.split(lines(&text).next().expect("line")).expect("fits");
        prop_assert_eq!(s.content.as_ref(), msg.as_str());
    }

    /// The header of a generated syslog line is recognised and stripped.
    #[test]
    fn syslog_header_is_detected(host in "[a-z]{3,8}", pid in 1u32..99999, msg in "[a-z]{2,8}( [a-z]{2,8}){0,5}") {
        let text: String = (0..20)
            .map(|i| format!("Jun {:>2} 10:{:02}:{:02} {host} sshd[{pid}]: {msg}\n", 1 + i % 28, i % 60, (i * 7) % 60))
            .collect();
        let fmt = LogFormat::detect(lines(&text));
        prop_assert!(matches!(fmt, LogFormat::Header(_)), "{:?}", fmt);
        let first = lines(&text).next().expect("line");
        let split = fmt.split(first).expect("fits");
        prop_assert_eq!(split.content.as_ref(), msg.as_str());
        prop_assert_eq!(split.component.as_deref(), Some("sshd"));
    }
}

#[test]
fn huge_line_without_newline_uses_bounded_memory() {
    // 100 MB of one line, streamed: the reader keeps at most MAX_LINE_BYTES of it.
    struct Endless(usize);
    impl std::io::Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0);
            buf[..n].fill(b'a');
            self.0 -= n;
            Ok(n)
        }
    }
    let reader = std::io::BufReader::new(Endless(100 * 1024 * 1024));
    let mut lr = LineReader::new(reader);
    let line = lr.next_line().expect("io").expect("one line").len();
    assert_eq!(line, MAX_LINE_BYTES);
    assert!(lr.was_truncated());
    let out = parse_reader(std::io::BufReader::new(Endless(100 * 1024 * 1024))).expect("parse");
    assert_eq!(out.line_templates.len(), 1);
}

#[test]
fn continuation_lines_carry_their_record() {
    let text = "2024-01-01 10:00:00,001 ERROR [main] com.x.Service: request failed\n\
                java.lang.IllegalStateException: boom\n\
                \tat com.x.Service.run(Service.java:42)\n\
                \tat java.lang.Thread.run(Thread.java:750)\n\
                2024-01-01 10:00:01,002 INFO [main] com.x.Service: request ok id=7\n\
                2024-01-01 10:00:02,003 INFO [main] com.x.Service: request ok id=8\n";
    let out = parse_text(text);
    let t = &out.line_templates;
    assert_eq!(t.len(), 6);
    assert!(t[0] == t[1] && t[1] == t[2] && t[2] == t[3], "{t:?}");
    assert_eq!(t[4], t[5]);
    assert_ne!(t[0], t[4]);
    let ok = &out.templates[t[4] as usize];
    assert_eq!(ok.template, "request ok id=<*>");
    assert_eq!((ok.records, ok.lines), (2, 2));
    let failed = &out.templates[t[0] as usize];
    assert_eq!((failed.records, failed.lines), (1, 4));
}

#[test]
fn json_and_logfmt_lines_are_understood() {
    let json = "{\"ts\":\"2024-01-01T00:00:00Z\",\"level\":\"error\",\"msg\":\"db timeout after 30 ms\"}\n\
                {\"ts\":\"2024-01-01T00:00:01Z\",\"level\":\"info\",\"msg\":\"db timeout after 31 ms\"}\n";
    let out = parse_text(json);
    assert_eq!(out.format, LogFormat::Json);
    assert_eq!(out.templates.len(), 1);
    assert_eq!(out.templates[0].template, "db timeout after <*> <*>");
    let logfmt = "time=2024-01-01T00:00:00Z level=warn msg=\"cache miss\" key=a1\n\
                  time=2024-01-01T00:00:01Z level=info msg=\"cache miss\" key=b2\n\
                  time=2024-01-01T00:00:02Z level=info msg=\"cache miss\" key=c3\n";
    let out = parse_text(logfmt);
    assert_eq!(out.format, LogFormat::Logfmt);
    assert_eq!(out.templates[0].template, "cache miss");
}

#[test]
fn csv_rows_are_evaluate_py_ready() {
    let text = "a, b 1\na, b 2\n";
    let out = parse_text(text);
    let mut buf = Vec::new();
    out.write_csv(&mut buf).expect("write");
    let csv = String::from_utf8(buf).expect("utf8");
    assert_eq!(
        csv,
        "LineId,EventId,EventTemplate\n1,E1,\"a, b <*>\"\n2,E1,\"a, b <*>\"\n"
    );
}
