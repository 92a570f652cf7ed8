//! Deployment environments a workflow moves through by promotion.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Testing → Launched → Production. Production workflows change only by promotion.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Where workflows are built and edited.
    #[default]
    Testing,
    /// Staging: promoted from Testing.
    Launched,
    /// Live: promoted from Launched; read-only except through promotion.
    Production,
}

impl Environment {
    /// The environment a workflow here is promoted to.
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Testing => Some(Self::Launched),
            Self::Launched => Some(Self::Production),
            Self::Production => None,
        }
    }

    /// Lower-case name used in storage, the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Testing => "testing",
            Self::Launched => "launched",
            Self::Production => "production",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Environment {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "testing" => Ok(Self::Testing),
            "launched" => Ok(Self::Launched),
            "production" => Ok(Self::Production),
            other => Err(format!(
                "unknown environment `{other}` (expected testing, launched or production)"
            )),
        }
    }
}
