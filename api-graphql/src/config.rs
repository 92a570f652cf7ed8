//! Layered configuration: defaults → config file → `WEFT_*` environment → command-line flags,
//! validated once at start-up.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use weft_commands::secrets::{MASTER_KEY_ENV, MasterKey};

/// Settings shared by every command that opens the store or serves.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Directory for the embedded database and key files.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; defaults to a SQLite file in `data_dir`.
    pub database_url: String,
    /// Address the HTTP server binds.
    pub listen: SocketAddr,
    /// `redis://…` to share presence between `weft serve` processes; none: in-process.
    pub redis_url: Option<String>,
    /// Where the master key lives when `WEFT_ENCRYPTION_KEY` is not set (created on first start
    /// with mode 0600); defaults to `DATA_DIR/master.key`.
    pub key_file: PathBuf,
    /// The master key from `WEFT_ENCRYPTION_KEY` (base64 of 32 bytes), which wins over the file.
    pub encryption_key: Option<String>,
}

impl Config {
    /// The master key: `WEFT_ENCRYPTION_KEY` when set, else the key file (created when missing).
    /// Every process sharing a database must use the same key.
    pub fn master_key(&self) -> Result<MasterKey, weft_commands::secrets::SecretsError> {
        match &self.encryption_key {
            Some(text) => MasterKey::from_base64(text, MASTER_KEY_ENV),
            None => MasterKey::load_or_create(&self.key_file),
        }
    }
}

/// Values given on the command line or in the environment (clap reads both).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConfigArgs {
    /// Config file (TOML with data_dir, database_url, listen, redis_url).
    #[arg(long, env = "WEFT_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Data directory [default: ./weft-data].
    #[arg(long, env = "WEFT_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL [default: sqlite://DATA_DIR/weft.db].
    #[arg(long, env = "WEFT_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Listen address [default: 127.0.0.1:8080].
    #[arg(long, env = "WEFT_LISTEN", global = true)]
    pub listen: Option<String>,
    /// Redis URL for presence shared between processes [default: none, in-process].
    #[arg(long, env = "WEFT_REDIS_URL", global = true)]
    pub redis_url: Option<String>,
    /// Master key file, used when WEFT_ENCRYPTION_KEY is unset [default: DATA_DIR/master.key].
    #[arg(long, env = "WEFT_KEY_FILE", global = true)]
    pub key_file: Option<PathBuf>,
    /// Master key, base64 of 32 bytes (environment only, never a flag).
    #[arg(skip = std::env::var(MASTER_KEY_ENV).ok().filter(|k| !k.trim().is_empty()))]
    pub encryption_key: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<String>,
    redis_url: Option<String>,
    key_file: Option<PathBuf>,
}

/// A configuration problem, named precisely.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config file {path}: {reason}")]
    Unreadable {
        /// File.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The listen address is not `HOST:PORT`.
    #[error("invalid listen address `{0}`: expected HOST:PORT, e.g. 127.0.0.1:8080")]
    Listen(String),
    /// The database URL has an unsupported scheme.
    #[error("invalid database URL `{0}`: expected sqlite://PATH or postgres://USER@HOST/DB")]
    DatabaseUrl(String),
    /// The Redis URL has an unsupported scheme.
    #[error("invalid Redis URL `{0}`: expected redis://HOST:PORT/ or rediss://HOST:PORT/")]
    RedisUrl(String),
}

impl ConfigArgs {
    /// Resolves the layers into a validated configuration.
    pub fn resolve(&self) -> Result<Config, ConfigError> {
        let file = match &self.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let data_dir = self
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("weft-data"));
        let database_url = self
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("weft.db").display()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::DatabaseUrl(database_url));
        }
        let listen = self
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".to_string());
        let listen = listen
            .parse()
            .map_err(|_| ConfigError::Listen(listen.clone()))?;
        let redis_url = self.redis_url.clone().or(file.redis_url);
        if let Some(url) = &redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return Err(ConfigError::RedisUrl(url.clone()));
        }
        let key_file = self
            .key_file
            .clone()
            .or(file.key_file)
            .unwrap_or_else(|| data_dir.join("master.key"));
        Ok(Config {
            data_dir,
            database_url,
            listen,
            redis_url,
            key_file,
            encryption_key: self.encryption_key.clone(),
        })
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let unreadable = |reason: String| ConfigError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| unreadable(e.to_string()))?;
    toml::from_str(&text).map_err(|e| unreadable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_configuration() {
        let config = ConfigArgs::default().resolve().unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url, "sqlite://weft-data/weft.db");
        assert_eq!(config.redis_url, None);
        assert_eq!(config.key_file, PathBuf::from("weft-data/master.key"));
    }

    #[test]
    fn the_environment_key_wins_over_the_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let key = MasterKey::generate();
        let args = ConfigArgs {
            data_dir: Some(dir.path().to_path_buf()),
            encryption_key: Some(key.to_base64()),
            ..Default::default()
        };
        let config = args.resolve().unwrap();
        assert_eq!(config.master_key().unwrap().derive("x"), key.derive("x"));
        assert!(!config.key_file.exists());
        let args = ConfigArgs {
            data_dir: Some(dir.path().to_path_buf()),
            encryption_key: Some("bad".into()),
            ..Default::default()
        };
        let err = args
            .resolve()
            .unwrap()
            .master_key()
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("WEFT_ENCRYPTION_KEY must be base64 of exactly 32 bytes"),
            "{err}"
        );
        let args = ConfigArgs {
            data_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let from_file = args.resolve().unwrap().master_key().unwrap();
        assert!(dir.path().join("master.key").exists());
        assert_eq!(
            args.resolve().unwrap().master_key().unwrap().derive("x"),
            from_file.derive("x")
        );
    }

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("weft.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/weft\"\n",
        )
        .unwrap();
        let args = ConfigArgs {
            config: Some(file.clone()),
            ..Default::default()
        };
        let config = args.resolve().unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(config.database_url, "sqlite:///srv/weft/weft.db");
        let args = ConfigArgs {
            config: Some(file),
            listen: Some("0.0.0.0:1".into()),
            ..Default::default()
        };
        assert_eq!(args.resolve().unwrap().listen.to_string(), "0.0.0.0:1");
    }

    #[test]
    fn bad_values_are_named() {
        let args = ConfigArgs {
            listen: Some("nope".into()),
            ..Default::default()
        };
        assert_eq!(
            args.resolve().unwrap_err().to_string(),
            "invalid listen address `nope`: expected HOST:PORT, e.g. 127.0.0.1:8080"
        );
        let args = ConfigArgs {
            database_url: Some("mysql://x".into()),
            ..Default::default()
        };
        assert!(
            args.resolve()
                .unwrap_err()
                .to_string()
                .starts_with("invalid database URL `mysql://x`")
        );
        let args = ConfigArgs {
            redis_url: Some("127.0.0.1:6379".into()),
            ..Default::default()
        };
        assert!(
            args.resolve()
                .unwrap_err()
                .to_string()
                .starts_with("invalid Redis URL `127.0.0.1:6379`")
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("weft.toml");
        std::fs::write(&file, "colour = \"blue\"\n").unwrap();
        let args = ConfigArgs {
            config: Some(file),
            ..Default::default()
        };
        assert!(
            args.resolve()
                .unwrap_err()
                .to_string()
                .contains("unknown field `colour`")
        );
    }
}
