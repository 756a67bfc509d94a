//! `cistern_logs::ingest`: push-based decoding of log uploads (text, NDJSON, gzip).

use std::io::Write;

use cistern_logs::LogFormat;
use cistern_logs::ingest::{Decoder, Encoding, Framing, IngestError, IngestSummary};
use cistern_logs::lines::{MAX_LINE_BYTES, decode_bytes, lines};
use flate2::{Compression, write::GzEncoder};
use proptest::prelude::*;

const LIMIT: u64 = 1 << 30;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).expect("compress");
    enc.finish().expect("compress")
}

/// Feeds `input` in the given chunks; the lines and the summary, or the first error.
fn run(
    framing: Framing,
    encoding: Encoding,
    chunks: &[&[u8]],
) -> Result<(Vec<String>, IngestSummary), IngestError> {
    let mut d = Decoder::new(framing, encoding, LIMIT);
    let mut out = Vec::new();
    for c in chunks {
        d.feed(c, &mut out)?;
    }
    let summary = d.finish(&mut out)?;
    Ok((out, summary))
}

fn whole(framing: Framing, encoding: Encoding, input: &[u8]) -> Vec<String> {
    run(framing, encoding, &[input]).expect("decodes").0
}

/// Every split point and byte by byte give the same lines as one chunk.
fn assert_chunking_invariant(framing: Framing, encoding: Encoding, input: &[u8]) -> Vec<String> {
    let expected = whole(framing, encoding, input);
    for i in 0..=input.len() {
        let (a, b) = input.split_at(i);
        let got = run(framing, encoding, &[a, b]).expect("decodes").0;
        assert_eq!(got, expected, "split at {i}");
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(run(framing, encoding, &bytes).expect("decodes").0, expected);
    expected
}

const TEXT: &str = "2026-12-07 10:00:00 INFO start\r\n\r\n  \n2026-12-07 10:00:01 ERROR caf\u{e9} \u{20ac}5\r\n\tat x.y(Z.java:1)\nlast line without newline";

const TEXT_LINES: [&str; 4] = [
    "2026-12-07 10:00:00 INFO start",
    "2026-12-07 10:00:01 ERROR caf\u{e9} \u{20ac}5",
    "\tat x.y(Z.java:1)",
    "last line without newline",
];

const NDJSON: &str = concat!(
    r#"{"timestamp":"2026-12-07T10:00:00.123Z","level":"info","message":"GET /health 200","host":"web-1"}"#,
    "\r\n\n",
    r#"{"time":"2026-12-07T10:00:01Z","log":"boom\n\tat a.b(C.java:2)\n","stream":"stderr"}"#,
    "\n",
    r#"{"msg":"caf\u00e9 \u20ac","lvl":50}"#,
);

const NDJSON_LINES: [&str; 4] = [
    "2026-12-07T10:00:00.123Z INFO GET /health 200",
    "2026-12-07T10:00:01Z boom",
    "\tat a.b(C.java:2)",
    "ERROR caf\u{e9} \u{20ac}",
];

#[test]
fn text_plain_and_gzip_every_chunking() {
    let plain = assert_chunking_invariant(Framing::Text, Encoding::Identity, TEXT.as_bytes());
    assert_eq!(plain, TEXT_LINES);
    let gz = assert_chunking_invariant(Framing::Text, Encoding::Gzip, &gzip(TEXT.as_bytes()));
    assert_eq!(gz, TEXT_LINES);
}

#[test]
fn ndjson_plain_and_gzip_every_chunking() {
    let plain = assert_chunking_invariant(Framing::Ndjson, Encoding::Identity, NDJSON.as_bytes());
    assert_eq!(plain, NDJSON_LINES);
    let gz = assert_chunking_invariant(Framing::Ndjson, Encoding::Gzip, &gzip(NDJSON.as_bytes()));
    assert_eq!(gz, NDJSON_LINES);
}

#[test]
fn summary_counts_bytes_lines_and_records() {
    let gz = gzip(NDJSON.as_bytes());
    let (_, s) = run(Framing::Ndjson, Encoding::Gzip, &[&gz]).expect("decodes");
    assert_eq!(
        s,
        IngestSummary {
            raw_bytes: gz.len() as u64,
            decoded_bytes: NDJSON.len() as u64,
            lines: 4,
            records: 3,
            truncated: 0,
        }
    );
    let (_, s) = run(Framing::Text, Encoding::Identity, &[TEXT.as_bytes()]).expect("decodes");
    assert_eq!(
        (s.raw_bytes, s.decoded_bytes),
        (TEXT.len() as u64, TEXT.len() as u64)
    );
    assert_eq!((s.lines, s.records), (4, 0));
}

#[test]
fn a_byte_order_mark_is_dropped() {
    let text = "\u{feff}first\r\nsecond \u{feff}\n";
    let got = assert_chunking_invariant(Framing::Text, Encoding::Identity, text.as_bytes());
    assert_eq!(got, ["first", "second \u{feff}"]);
    let ndjson = "\u{feff}{\"message\":\"m\"}\n";
    assert_eq!(
        whole(Framing::Ndjson, Encoding::Identity, ndjson.as_bytes()),
        ["m"]
    );
}

#[test]
fn crlf_split_across_chunks() {
    let got = run(
        Framing::Text,
        Encoding::Identity,
        &[b"one\r", b"\ntwo\r", b"\n"],
    )
    .expect("ok");
    assert_eq!(got.0, ["one", "two"]);
}

#[test]
fn multibyte_utf8_split_across_chunks() {
    let text = "\u{1f600} caf\u{e9}\n";
    let b = text.as_bytes();
    let got = run(
        Framing::Text,
        Encoding::Identity,
        &[&b[..1], &b[1..3], &b[3..7], &b[7..]],
    );
    assert_eq!(got.expect("ok").0, ["\u{1f600} caf\u{e9}"]);
}

#[test]
fn invalid_utf8_is_replaced_like_decode_bytes() {
    let input: &[u8] = b"ok \xff\xfe line\nLatin-1 caf\xe9\n\xe2\x82 cut euro\n";
    let expected: Vec<String> = lines(&decode_bytes(input).expect("decode"))
        .map(str::to_owned)
        .collect();
    assert_eq!(expected[0], "ok \u{fffd}\u{fffd} line");
    assert_eq!(
        assert_chunking_invariant(Framing::Text, Encoding::Identity, input),
        expected
    );
}

#[test]
fn multi_member_gzip_is_read_to_the_end() {
    let mut body = gzip(b"first member\n");
    body.extend(gzip(b"second "));
    body.extend(gzip(b"member\n"));
    let got = assert_chunking_invariant(Framing::Text, Encoding::Gzip, &body);
    assert_eq!(got, ["first member", "second member"]);
}

fn gzip_reason(chunks: &[&[u8]]) -> String {
    match run(Framing::Text, Encoding::Gzip, chunks) {
        Err(IngestError::BadGzip(reason)) => reason,
        other => panic!("{other:?}"),
    }
}

#[test]
fn truncated_gzip_is_refused() {
    let gz = gzip(TEXT.as_bytes());
    for cut in [1, 5, 10, gz.len() / 2, gz.len() - 4, gz.len() - 1] {
        assert_eq!(
            gzip_reason(&[&gz[..cut]]),
            "the gzip stream is truncated (or its checksum does not match)",
            "cut at {cut}"
        );
    }
}

#[test]
fn corrupt_gzip_is_refused() {
    let mut gz = gzip(TEXT.as_bytes());
    let n = gz.len();
    gz[n - 6] ^= 0xff; // the CRC
    assert!(gzip_reason(&[&gz]).contains("checksum"));
    let mut two = gz.clone();
    two.extend(gzip(b"second\n"));
    assert_eq!(
        gzip_reason(&[&two]),
        "corrupt compressed data or checksum mismatch"
    );
}

#[test]
fn not_gzip_is_refused_with_a_clear_reason() {
    let not_gzip = "not gzip (the body does not start with the gzip magic number)";
    assert_eq!(gzip_reason(&[b"plain text\n"]), not_gzip);
    assert_eq!(gzip_reason(&[b"p", b"l"]), not_gzip);
    assert_eq!(gzip_reason(&[b"x"]), not_gzip);
    assert_eq!(
        IngestError::BadGzip(not_gzip.into()).to_string(),
        format!("bad gzip data: {not_gzip}")
    );
    let mut body = gzip(b"a\n");
    body.extend_from_slice(b"trailing garbage");
    assert_eq!(
        gzip_reason(&[&body]),
        "data after the end of the gzip stream is not gzip"
    );
}

/// A gzip bomb: 1 GiB of zeros in one member (about 5 MB compressed at the fast
/// level, which keeps building it quick). Inflating it whole would take seconds and
/// a gigabyte; the decoder must stop at the limit.
#[test]
fn gzip_bomb_stops_at_the_limit() {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        enc.write_all(&zeros).expect("compress");
    }
    let bomb = enc.finish().expect("compress");
    assert!(bomb.len() < 8 << 20, "{} bytes", bomb.len());

    let limit = 8 << 20;
    // Fed whole: inflation stops within two 32 KiB buffers of the limit.
    let mut d = Decoder::new(Framing::Text, Encoding::Gzip, limit);
    let mut out = Vec::new();
    let err = d.feed(&bomb, &mut out).expect_err("too large");
    assert_eq!(err, IngestError::TooLarge { limit });
    let decoded = d.summary().decoded_bytes;
    assert!(decoded <= limit + (64 << 10), "inflated {decoded} bytes");
    assert!(out.is_empty());
    // The decoder stays failed.
    assert_eq!(
        d.feed(b"more", &mut out),
        Err(IngestError::TooLarge { limit })
    );
    assert_eq!(d.finish(&mut out), Err(IngestError::TooLarge { limit }));

    // Fed in 16 KiB chunks: refused long before the end of the body.
    let mut d = Decoder::new(Framing::Text, Encoding::Gzip, limit);
    let refused = bomb
        .chunks(16 << 10)
        .find_map(|c| d.feed(c, &mut out).err());
    assert_eq!(refused, Some(IngestError::TooLarge { limit }));
    let raw = d.summary().raw_bytes;
    assert!(
        raw < bomb.len() as u64 / 10,
        "read {raw} of {} bytes",
        bomb.len()
    );
}

#[test]
fn plain_input_over_the_limit_is_refused() {
    let mut d = Decoder::new(Framing::Text, Encoding::Identity, 10);
    let mut out = Vec::new();
    d.feed(b"0123456\n", &mut out).expect("under the limit");
    assert_eq!(
        d.feed(b"789", &mut out),
        Err(IngestError::TooLarge { limit: 10 })
    );
    assert_eq!(out, ["0123456"]);
}

#[test]
fn empty_and_blank_inputs_are_empty() {
    for framing in [Framing::Text, Framing::Ndjson] {
        for input in [&b""[..], b"\n\n", b" \r\n\t\n  "] {
            assert_eq!(
                run(framing, Encoding::Identity, &[input]),
                Err(IngestError::Empty),
                "{input:?}"
            );
            let gz = gzip(input);
            assert_eq!(
                run(framing, Encoding::Gzip, &[&gz]),
                Err(IngestError::Empty)
            );
        }
        assert_eq!(run(framing, Encoding::Gzip, &[]), Err(IngestError::Empty));
    }
}

#[test]
fn over_long_lines_are_truncated_on_a_character_boundary() {
    // 'é' is two bytes: the line is cut before the character that straddles the cap.
    let long = format!("x{}", "\u{e9}".repeat(MAX_LINE_BYTES));
    let input = format!("short\n{long}\r\nafter\n{long}");
    let got = assert_long_input(input.as_bytes());
    let kept = format!("x{}", "\u{e9}".repeat((MAX_LINE_BYTES - 1) / 2));
    assert_eq!(got, ["short", &kept, "after", &kept]);

    let (_, s) = run(Framing::Text, Encoding::Identity, &[input.as_bytes()]).expect("ok");
    assert_eq!((s.lines, s.truncated), (4, 2));

    // A four-byte character with three bytes before the cap is dropped whole, not
    // left as a U+FFFD.
    let emoji = format!("x{}\n", "\u{1f600}".repeat(MAX_LINE_BYTES / 4));
    let kept = format!("x{}", "\u{1f600}".repeat((MAX_LINE_BYTES - 1) / 4));
    assert_eq!(assert_long_input(emoji.as_bytes()), [kept]);

    // Exactly the cap, with a CRLF: nothing is cut.
    let exact = "y".repeat(MAX_LINE_BYTES);
    let got = assert_long_input(format!("{exact}\r\n").as_bytes());
    assert_eq!(got, [exact]);
}

/// A few chunkings of a long input (every split point would be slow).
fn assert_long_input(input: &[u8]) -> Vec<String> {
    let expected = whole(Framing::Text, Encoding::Identity, input);
    let step = input.len() / 37 + 1;
    for size in [1000, 4096, 65535, 65536, 65537, step] {
        let chunks: Vec<&[u8]> = input.chunks(size).collect();
        let got = run(Framing::Text, Encoding::Identity, &chunks)
            .expect("ok")
            .0;
        assert_eq!(got, expected, "chunks of {size}");
    }
    for i in (0..input.len()).step_by(step) {
        let (a, b) = input.split_at(i);
        assert_eq!(
            run(Framing::Text, Encoding::Identity, &[a, b])
                .expect("ok")
                .0,
            expected
        );
    }
    let gz = gzip(input);
    assert_eq!(whole(Framing::Text, Encoding::Gzip, &gz), expected);
    expected
}

fn ndjson_one(record: &str) -> Result<Vec<String>, IngestError> {
    run(Framing::Ndjson, Encoding::Identity, &[record.as_bytes()]).map(|(lines, _)| lines)
}

#[test]
fn ndjson_vector_style_records() {
    // Vector's `http` sink, `encoding.codec = "json"`, newline-delimited framing.
    let body = concat!(
        r#"{"file":"/var/log/app.log","host":"web-1","message":"2026-12-07 10:00:00 WARN disk 91% full","source_type":"file","timestamp":"2026-12-07T10:00:00.123456Z"}"#,
        "\n",
        r#"{"host":"web-1","level":"error","message":"upstream timed out","source_type":"kubernetes_logs","timestamp":"2026-12-07T10:00:01Z"}"#,
        "\n"
    );
    let got = ndjson_one(body).expect("ok");
    assert_eq!(
        got,
        [
            "2026-12-07T10:00:00.123456Z 2026-12-07 10:00:00 WARN disk 91% full",
            "2026-12-07T10:00:01Z ERROR upstream timed out",
        ]
    );
}

#[test]
fn ndjson_fluent_bit_style_records() {
    // Fluent Bit's `http` output, `Format json_lines`: `date` as fractional epoch seconds.
    let body = concat!(
        r#"{"date":1765101600.123456,"log":"GET /api 502\n","stream":"stdout"}"#,
        "\n",
        r#"{"date":1765101601.5,"log":"panic: nil map\ngoroutine 1 [running]:\n","severity":"fatal"}"#,
        "\n"
    );
    let got = ndjson_one(body).expect("ok");
    assert_eq!(
        got,
        [
            "2025-12-07T10:00:00.123Z GET /api 502",
            "2025-12-07T10:00:01.500Z FATAL panic: nil map",
            "goroutine 1 [running]:",
        ]
    );
}

#[test]
fn ndjson_field_mapping() {
    let cases = [
        // Nested and dotted ECS level; `log` as an object is not the message.
        (
            r#"{"@timestamp":"T","log":{"level":"warn","logger":"x"},"message":"m"}"#,
            "T WARN m",
        ),
        (r#"{"log.level":"debug","message":"m"}"#, "DEBUG m"),
        (r#"{"log":{"level":"info"},"text":"m"}"#, "INFO m"),
        // Bunyan / pino numbers; epoch milliseconds.
        (
            r#"{"level":30,"time":1765101600000,"msg":"m"}"#,
            "2025-12-07T10:00:00.000Z INFO m",
        ),
        (r#"{"level":10,"msg":"m"}"#, "TRACE m"),
        (r#"{"level":60,"msg":"m"}"#, "FATAL m"),
        (r#"{"level":7,"msg":"m"}"#, "7 m"),
        // First present wins; null is absent.
        (r#"{"msg":"second","message":"first"}"#, "first"),
        (r#"{"message":null,"MESSAGE":"journald"}"#, "journald"),
        (
            r#"{"levelname":"WARNING","lvl":"info","message":"m"}"#,
            "WARNING m",
        ),
        (
            r#"{"ts":"1765101600","datetime":"x","message":"m"}"#,
            "1765101600 m",
        ),
        // Numbers no date can hold stay as written (the fuzzer found an overflow here).
        (
            r#"{"date":1675177777777777777777777777777770,"message":"m"}"#,
            "1675177777777777777777777777777770 m",
        ),
        (r#"{"date":1e300,"message":"m"}"#, "1e300 m"),
        (r#"{"date":-5,"message":"m"}"#, "-5 m"),
        // Non-string messages as JSON text.
        (r#"{"message":{"a":1}}"#, r#"{"a":1}"#),
        (r#"{"message":42}"#, "42"),
        (r#"{"message":"","level":"info"}"#, "INFO"),
    ];
    for (record, line) in cases {
        assert_eq!(ndjson_one(record).expect(record), [line], "{record}");
    }
}

#[test]
fn ndjson_errors_carry_the_line_number() {
    let body = "{\"message\":\"a\"}\n\n{\"level\":\"info\"}\n";
    assert_eq!(ndjson_one(body), Err(IngestError::NoMessage { line: 3 }));
    assert_eq!(
        IngestError::NoMessage { line: 3 }.to_string(),
        "line 3: no message field (message, msg, log, MESSAGE or text)"
    );

    for (bad, what) in [
        ("plain text", "not a JSON object"),
        ("[1,2]", "not a JSON object"),
        ("\"str\"", "not a JSON object"),
        ("{\"message\":", "invalid JSON"),
    ] {
        let body = format!("{{\"message\":\"a\"}}\n{bad}\n");
        match ndjson_one(&body) {
            Err(IngestError::BadJson { line: 2, message }) => {
                assert!(message.starts_with(what), "{bad}: {message}")
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    let long = format!("{{\"message\":\"{}\"}}", "x".repeat(2 << 20));
    match ndjson_one(&long) {
        Err(IngestError::BadJson { line: 1, message }) => assert!(message.contains("longer")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn ndjson_lines_are_clipped_and_records_up_to_a_mebibyte_accepted() {
    let record = format!("{{\"message\":\"{}\"}}", "x".repeat(200 << 10));
    let got = ndjson_one(&record).expect("ok");
    assert_eq!(got, ["x".repeat(MAX_LINE_BYTES)]);
}

/// The point of the rendering: the engine finds a timestamp and a level in it.
#[test]
fn the_engine_reads_rendered_ndjson_headers() {
    let mut body = String::new();
    for i in 0..50 {
        let level = ["info", "warn", "error"][i % 3];
        body.push_str(&format!(
            "{{\"date\":{}.25,\"level\":\"{level}\",\"log\":\"request {i} done\"}}\n",
            1_765_101_600 + i
        ));
    }
    let lines = ndjson_one(&body).expect("ok");
    let format = LogFormat::detect(lines.iter().map(String::as_str));
    assert!(format.has_timestamp(), "{format:?}");
    let split = format.split(&lines[2]).expect("fits");
    assert_eq!(split.level, Some(cistern_logs::Level::Error));
    assert_eq!(split.timestamp.as_deref(), Some("2025-12-07T10:00:02.250Z"));
    assert_eq!(split.content, "request 2 done");
}

proptest! {
    /// For arbitrary text and arbitrary chunking, the text decoder's lines are the
    /// text's non-blank lines, plain or gzipped.
    #[test]
    fn text_lines_are_the_non_blank_lines(
        text in "([a-z0-9 ]{0,12}(\r\n|\n|\r| |\t|\u{e9}|\u{20ac}|\u{1f600}))*[a-z ]{0,5}",
        cuts in proptest::collection::vec(0usize..400, 0..8),
        gz in any::<bool>(),
    ) {
        let expected: Vec<&str> = lines(&text).filter(|l| !l.trim().is_empty()).collect();
        let (encoding, body) = if gz {
            (Encoding::Gzip, gzip(text.as_bytes()))
        } else {
            (Encoding::Identity, text.as_bytes().to_vec())
        };
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (body.len() + 1)).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut at = 0;
        for c in cuts {
            chunks.push(&body[at..c]);
            at = c;
        }
        chunks.push(&body[at..]);
        match run(Framing::Text, encoding, &chunks) {
            Ok((got, summary)) => {
                prop_assert_eq!(got, expected);
                prop_assert_eq!(summary.decoded_bytes, text.len() as u64);
            }
            Err(e) => {
                prop_assert_eq!(e, IngestError::Empty);
                prop_assert!(expected.is_empty());
            }
        }
    }

    /// Arbitrary bytes never panic; the lines are never longer than the cap nor blank.
    #[test]
    fn arbitrary_bytes_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..300),
        ndjson in any::<bool>(),
        gz in any::<bool>(),
    ) {
        let framing = if ndjson { Framing::Ndjson } else { Framing::Text };
        let encoding = if gz { Encoding::Gzip } else { Encoding::Identity };
        if let Ok((got, _)) = run(framing, encoding, &[&body]) {
            prop_assert!(got.iter().all(|l| l.len() <= MAX_LINE_BYTES && !l.trim().is_empty()));
        }
    }
}
