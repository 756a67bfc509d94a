//! Parses the ten Loghub-2k systems from raw lines and writes `PRED_DIR/<System>.csv`
//! for `evaluate.py`.
//!
//! ```text
//! cargo run --release -p cistern-logs --example loghub_eval -- PRED_DIR
//! python3 $LOGHUB_DIR/evaluate.py --root $LOGHUB_DIR --pred-dir PRED_DIR
//! ```
//! `LOGHUB_DIR` defaults to `<repo>/../shared/loghub`.

#[path = "shared/loghub.rs"]
mod loghub;
use loghub::SYSTEMS;

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let root = loghub::loghub_dir();
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "pred".into()));
    std::fs::create_dir_all(&out)?;
    for s in SYSTEMS {
        let raw = std::fs::read(root.join(s).join(format!("{s}_2k.log")))?;
        let text = cistern_logs::lines::decode_bytes(&raw)?;
        let parsed = cistern_logs::parse_text(&text);
        let f = std::fs::File::create(out.join(format!("{s}.csv")))?;
        parsed.write_csv(std::io::BufWriter::new(f))?;
        if std::env::var_os("SHOW_FORMAT").is_some() {
            println!("{s}: {:?}", parsed.format);
        }
        println!("{s}: {} templates", parsed.templates.len());
    }
    Ok(())
}
