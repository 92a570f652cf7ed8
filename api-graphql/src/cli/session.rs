//! The CLI's stored sign-ins: `weft login` keeps the access and refresh tokens per server URL in
//! `sessions.json` under `WEFT_CLI_HOME` (default `$XDG_CONFIG_HOME/weft`, else
//! `$HOME/.config/weft`), readable only by the user (mode 0600). Passwords are never stored.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, anyhow};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One server's sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredSession {
    /// Who signed in.
    pub email: String,
    /// Current access token.
    pub access_token: String,
    /// When it expires.
    pub access_token_expires_at: DateTime<Utc>,
    /// Exchanged for new tokens when the access token is about to expire.
    pub refresh_token: String,
}

impl StoredSession {
    /// Whether the access token is expired or expires within a minute.
    pub fn needs_refresh(&self) -> bool {
        self.access_token_expires_at - chrono::Duration::seconds(60) <= Utc::now()
    }
}

/// The sessions file.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SessionsFile {
    servers: BTreeMap<String, StoredSession>,
}

/// The directory holding the CLI's files.
fn home() -> anyhow::Result<PathBuf> {
    let from_env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = from_env("WEFT_CLI_HOME") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = from_env("XDG_CONFIG_HOME") {
        return Ok(PathBuf::from(dir).join("weft"));
    }
    from_env("HOME")
        .map(|home| PathBuf::from(home).join(".config").join("weft"))
        .ok_or_else(|| anyhow!("cannot tell where to keep sign-ins: set WEFT_CLI_HOME or HOME"))
}

fn path() -> anyhow::Result<PathBuf> {
    Ok(home()?.join("sessions.json"))
}

fn load() -> anyhow::Result<SessionsFile> {
    let path = path()?;
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| format!("{} is not a valid sessions file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SessionsFile::default()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn save(file: &SessionsFile) -> anyhow::Result<()> {
    let path = path()?;
    let dir = path.parent().expect("the sessions file has a directory");
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    temp.write_all(serde_json::to_string_pretty(file)?.as_bytes())?;
    temp.persist(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The stored sign-in for `url`, if any.
pub fn get(url: &str) -> anyhow::Result<Option<StoredSession>> {
    Ok(load()?.servers.remove(&key(url)))
}

/// Stores (or replaces) the sign-in for `url`.
pub fn put(url: &str, session: StoredSession) -> anyhow::Result<()> {
    let mut file = load()?;
    file.servers.insert(key(url), session);
    save(&file)
}

/// Forgets the sign-in for `url`; whether there was one.
pub fn remove(url: &str) -> anyhow::Result<bool> {
    let mut file = load()?;
    let removed = file.servers.remove(&key(url)).is_some();
    if removed {
        save(&file)?;
    }
    Ok(removed)
}

/// Sessions are kept per server URL without a trailing slash.
fn key(url: &str) -> String {
    url.trim_end_matches('/').to_string()
}
