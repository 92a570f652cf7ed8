//! `weft projections rebuild [--verify]`.

use weft_commands::EventStore;

use crate::config::Config;

/// Rebuilds the read models (or verifies them) and prints a table of what was done.
pub async fn rebuild(config: Config, verify: bool) -> anyhow::Result<()> {
    let store = EventStore::open(&config.database_url).await?;
    let report = weft_projections::rebuild(&store, verify).await?;
    println!(
        "replayed {} events up to {} in {:.2}s ({:.0} events/s)",
        report.events,
        report.position,
        report.seconds,
        report.events as f64 / report.seconds.max(1e-9)
    );
    println!(
        "{:<20} {:<16} {}",
        "table",
        "rebuilt hash",
        if verify { "live hash" } else { "" }
    );
    for (table, rebuilt, live) in &report.tables {
        println!(
            "{:<20} {:<16} {}",
            table,
            &rebuilt[..16],
            live.as_deref().map_or("", |h| &h[..16])
        );
    }
    println!(
        "{}",
        if verify {
            "verified: rebuilt read models equal the live ones"
        } else {
            "read models replaced"
        }
    );
    Ok(())
}
