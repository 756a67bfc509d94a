//! Rebuilds the crate when a migration is added: `sqlx::migrate!` embeds the migration folders at
//! compile time but cannot tell cargo to watch them (sqlx's documented remedy).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
