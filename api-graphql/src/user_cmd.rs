//! `weft user create-owner`: sets up the owner offline, directly on the data directory's store
//! (or `WEFT_DATABASE_URL`), without a running server.

use anyhow::Context;
use chrono::Utc;
use uuid::Uuid;
use weft_commands::auth::TokenLifetimes;
use weft_commands::{Access, EventStore};
use weft_domain::metadata::{Actor, EventMetadata};

use crate::config::Config;

/// Creates the owner; fails when one exists.
pub async fn create_owner(config: Config, email: &str, password: &str) -> anyhow::Result<()> {
    let master = config.master_key()?;
    let store = EventStore::open(&config.database_url)
        .await
        .with_context(|| "cannot open the store".to_string())?;
    let access = Access::new(store, &master, TokenLifetimes::default());
    let metadata = EventMetadata {
        actor: Actor::system("cli"),
        timestamp: Utc::now(),
        correlation_id: Uuid::new_v4().to_string(),
        causation_id: None,
    };
    let owner = access.setup_owner(email, password, &metadata).await?;
    println!("owner {} created (id {})", owner.email, owner.id);
    Ok(())
}
