//! Opening rusqlite connections that write to the SQLite file: the event writer's and the read
//! models'. Both poll for the database's one write lock instead of sleeping SQLite's default
//! steps.

use std::thread;
use std::time::Duration;

use rusqlite::Connection;

use super::db::SQLITE_PRAGMAS;
use crate::error::StoreError;

/// How a connection's commits reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commits {
    /// Every commit is flushed before it returns (`synchronous = FULL`): the event log.
    Durable,
    /// Commits do not wait for the disk (`synchronous = NORMAL`): the read models, which are
    /// rebuilt from the log. Such a commit holds the write lock for as long as SQLite works, not
    /// for an fsync. Nothing durable is risked: the next event commit flushes the WAL both
    /// share, a crash of the process alone loses nothing, and a power loss can drop only the
    /// newest read-model batches together with the checkpoint they moved (one transaction),
    /// which the runner then applies again.
    Rebuildable,
}

/// The event writer leaves checkpoints to the other connections. SQLite runs a checkpoint
/// (copying the WAL's pages into the database file, with its own sync) inside the commit that
/// grows the WAL past `wal_autocheckpoint` pages, and the event writer commits most often, so at
/// the default of 1,000 it ran most of them: at c=1, 47 checkpoints in 3 s, each delaying every
/// execution of its batch. The read-model connection, which commits after every batch of events
/// off any request's path, keeps the default and does them instead; the writer's far higher limit
/// only matters when nothing else writes, and keeps the WAL bounded then. Measured at c=1
/// webhooks: p99 1.2–1.4 ms against 1.8–2.0 ms, p50 unchanged.
const DURABLE_CHECKPOINTS: &str = "PRAGMA wal_autocheckpoint = 16000";

/// Tries for the write lock at this interval at first …
const LOCK_POLL: Duration = Duration::from_micros(20);

/// … this many times, then once a millisecond.
const LOCK_POLLS: i32 = 500;

/// Gives up (`SQLITE_BUSY`) after about 30 s of waiting.
const LOCK_GIVE_UP: i32 = LOCK_POLLS + 30_000;

/// How often a read-model connection tries for the write lock …
const YIELD_POLL: Duration = Duration::from_micros(500);

/// … before it gives up after about 30 s.
const YIELD_GIVE_UP: i32 = 60_000;

/// Opens a connection on the SQLite file at `path` with Weft's settings.
pub(crate) fn open(path: &str, commits: Commits) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(open_error)?;
    conn.execute_batch(SQLITE_PRAGMAS).map_err(open_error)?;
    conn.execute_batch(match commits {
        Commits::Durable => DURABLE_CHECKPOINTS,
        Commits::Rebuildable => "PRAGMA synchronous = NORMAL",
    })
    .map_err(open_error)?;
    conn.busy_handler(Some(match commits {
        Commits::Durable => wait_for_lock,
        Commits::Rebuildable => yield_lock,
    }))
    .map_err(open_error)?;
    Ok(conn)
}

/// The busy handler of writing connections. SQLite's own (`busy_timeout`) sleeps 1, 2, 5, 10, …
/// up to 100 ms between tries, so a read-model commit that held the lock for 100 µs cost the
/// events written behind it milliseconds (measured: a c=1 webhook's writer slept 1.1 s of every
/// 4 s). Writers hold the lock briefly: poll often first, then back off.
fn wait_for_lock(tries: i32) -> bool {
    if tries >= LOCK_GIVE_UP {
        return false;
    }
    thread::sleep(if tries < LOCK_POLLS {
        LOCK_POLL
    } else {
        Duration::from_millis(1)
    });
    true
}

/// The busy handler of read-model connections: they give way to the event writer, whose commits
/// answer requests, by trying again only every [`YIELD_POLL`].
fn yield_lock(tries: i32) -> bool {
    if tries >= YIELD_GIVE_UP {
        return false;
    }
    thread::sleep(YIELD_POLL);
    true
}

fn open_error(error: rusqlite::Error) -> StoreError {
    StoreError::Write(format!("cannot open the SQLite database: {error}"))
}
