//! Pastes that change format part-way: the parser must notice and re-detect,
//! not glue the second log onto the last record of the first.

use cistern_logs::{
    LineResult, LogFormat, MinerConfig, ParseOutput, StreamParser, parse_reader, parse_text,
};

fn nginx(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "192.168.1.{} - - [10/Oct/2023:13:55:{:02} +0000] \"GET /api/items/{} HTTP/1.1\" {} {} \"-\" \"curl/7.68.0\"\n",
                i % 250,
                i % 60,
                i * 7,
                if i % 5 == 0 { 404 } else { 200 },
                100 + i * 13
            )
        })
        .collect()
}

/// A Java application log: every fourth record fails with a stack trace.
fn java(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let t = format!(
            "2024-01-01 10:{:02}:{:02},{:03}",
            i / 60 % 60,
            i % 60,
            i % 1000
        );
        if i % 4 == 3 {
            s.push_str(&format!(
                "{t} ERROR [worker-{}] com.shop.OrderService: order {} failed\n",
                i % 3,
                1000 + i
            ));
            s.push_str("java.lang.IllegalStateException: payment gateway timeout\n");
            s.push_str("\tat com.shop.OrderService.pay(OrderService.java:88)\n");
            s.push_str("\tat com.shop.OrderService.run(OrderService.java:42)\n");
        } else {
            s.push_str(&format!(
                "{t} INFO [worker-{}] com.shop.OrderService: order {} placed in {} ms\n",
                i % 3,
                1000 + i,
                10 + i % 90
            ));
        }
    }
    s
}

fn stream_formats(text: &str) -> Vec<(u64, LogFormat)> {
    let mut s = StreamParser::new(MinerConfig::default());
    let mut sink = |_: LineResult<'_>| {};
    for l in cistern_logs::lines::lines(text) {
        s.push(l, &mut sink);
    }
    s.finish(&mut sink);
    s.formats()
        .iter()
        .map(|f| (f.first_line, f.format.clone()))
        .collect()
}

fn template_of(out: &ParseOutput, line: usize) -> &str {
    &out.templates[out.line_templates[line] as usize].template
}

#[test]
fn nginx_then_java_switches_at_the_first_java_line() {
    let text = format!("{}{}", nginx(500), java(400));
    let formats = stream_formats(&text);
    assert_eq!(formats.len(), 2, "{formats:?}");
    assert_eq!(formats[0].0, 0);
    assert_eq!(formats[1].0, 500, "switch where the Java log starts");
    assert!(matches!(&formats[1].1, LogFormat::Header(s) if s.comp.is_some()));

    let out = parse_text(&text);
    // Java records are records of their own, with their header stripped…
    assert_eq!(template_of(&out, 500), "order <*> placed in <*> <*>");
    assert_ne!(out.line_templates[499], out.line_templates[500]);
    // …and a stack trace still belongs to its record.
    let failed = 500 + 3;
    assert_eq!(template_of(&out, failed), "order <*> failed");
    for l in failed + 1..=failed + 3 {
        assert_eq!(
            out.line_templates[l], out.line_templates[failed],
            "line {l}"
        );
    }
    let failed_tpl = &out.templates[out.line_templates[failed] as usize];
    assert_eq!((failed_tpl.records, failed_tpl.lines), (100, 400));
}

#[test]
fn nginx_access_lines_keep_the_request_as_message() {
    let out = parse_text(&nginx(300));
    let LogFormat::Header(shape) = &out.format else {
        panic!("access log not recognised: {:?}", out.format);
    };
    assert_eq!(shape.kinds.len(), 4, "{shape:?}");
    assert_eq!(
        template_of(&out, 1),
        "\"GET <*> HTTP/<*>\" <*> <*> \"-\" \"curl/<*>\""
    );
}

#[test]
fn java_then_nginx_then_java_switches_twice() {
    let text = format!("{}{}{}", java(500), nginx(450), java(450));
    let java_lines = cistern_logs::lines::lines(&java(500)).count() as u64;
    let formats = stream_formats(&text);
    let starts: Vec<u64> = formats.iter().map(|f| f.0).collect();
    assert_eq!(starts, [0, java_lines, java_lines + 450], "{formats:?}");
    assert_eq!(formats[0].1, formats[2].1);
}

#[test]
fn unindented_multiline_messages_are_not_a_format_change() {
    // A Java log with one record carrying a 12-line SQL statement, not indented:
    // more than enough misfits in a row to trigger a re-check, which must keep the format.
    let mut text = java(300);
    text.push_str("2024-01-01 11:00:00,000 WARN [db] com.shop.Sql: slow query took 900 ms\n");
    for k in 0..12 {
        text.push_str(&format!("SELECT col{k} FROM orders WHERE id = {k}\n"));
    }
    text.push_str(&java(300));
    let formats = stream_formats(&text);
    assert_eq!(formats.len(), 1, "{formats:?}");
    let out = parse_text(&text);
    let slow = cistern_logs::lines::lines(&java(300)).count();
    assert_eq!(template_of(&out, slow), "slow query took <*> <*>");
    let tpl = &out.templates[out.line_templates[slow] as usize];
    assert_eq!((tpl.records, tpl.lines), (1, 13));
}

#[test]
fn plain_text_then_json_lines_switches_to_json() {
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&format!("starting worker number {i} of the pool\n"));
    }
    for i in 0..450 {
        text.push_str(&format!(
            "{{\"ts\":\"2024-01-01T00:00:{:02}Z\",\"level\":\"info\",\"msg\":\"served request {i}\"}}\n",
            i % 60
        ));
    }
    let formats = stream_formats(&text);
    assert_eq!(formats, [(0, LogFormat::Plain), (300, LogFormat::Json)]);
    let out = parse_text(&text);
    assert_eq!(out.format, LogFormat::Json, "the format of most lines");
    assert_eq!(template_of(&out, 310), "served request <*>");
    assert_eq!(
        template_of(&out, 10),
        "starting worker number <*> of the pool"
    );
}

#[test]
fn a_few_lines_of_another_format_inside_the_sample_stay_records() {
    // 50 plain lines, then JSON: the first detection sees mostly JSON, and a
    // re-check over the plain lines finds JSON again, so they stay records of their own.
    let mut text = String::new();
    for i in 0..50 {
        text.push_str(&format!("starting worker number {i} of the pool\n"));
    }
    for i in 0..450 {
        text.push_str(&format!(
            "{{\"level\":\"info\",\"msg\":\"served request {i}\"}}\n"
        ));
    }
    let out = parse_text(&text);
    assert_eq!(out.format, LogFormat::Json);
    assert_eq!(
        template_of(&out, 10),
        "starting worker number <*> of the pool"
    );
    assert_eq!(template_of(&out, 60), "served request <*>");
}

#[test]
fn reader_and_text_agree_on_mixed_input() {
    let text = format!("{}{}{}", nginx(120), java(300), nginx(80));
    let a = parse_text(&text);
    let b = parse_reader(text.as_bytes()).expect("in-memory read");
    assert_eq!(a, b);
    assert_eq!(
        a.line_templates.len(),
        cistern_logs::lines::lines(&text).count()
    );
}

#[test]
fn short_inputs_and_empty_input_still_parse() {
    assert!(parse_text("").line_templates.is_empty());
    let out = parse_text("one line only\n");
    assert_eq!(out.line_templates, [0]);
    // Fewer lines than the detection sample, mixed: every line gets a template.
    let text = format!("{}{}", nginx(5), java(5));
    let out = parse_text(&text);
    assert_eq!(
        out.line_templates.len(),
        cistern_logs::lines::lines(&text).count()
    );
}
