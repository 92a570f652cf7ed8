//! Roles and what each may do. Pure rules, used by the aggregate and by the API's guards.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A user's role, from most to least privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Read-only access: lists and reads, never changes anything shared.
    Viewer,
    /// Edits and runs workflows, uses and creates credentials.
    Editor,
    /// Everything an editor may, plus managing users below owner.
    Admin,
    /// The instance owner (set up once); may do everything.
    Owner,
}

impl Role {
    /// The stored name (`owner`, `admin`, `editor`, `viewer`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Viewer => "viewer",
        }
    }

    /// Whether the role may change shared state (workflows, executions, credentials).
    pub fn can_edit(self) -> bool {
        self >= Self::Editor
    }

    /// Whether the role may list and manage users.
    pub fn can_manage_users(self) -> bool {
        self >= Self::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "owner" => Ok(Self::Owner),
            "admin" => Ok(Self::Admin),
            "editor" => Ok(Self::Editor),
            "viewer" => Ok(Self::Viewer),
            other => Err(format!(
                "unknown role `{other}`: expected owner, admin, editor or viewer"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_round_trip() {
        assert!(Role::Owner > Role::Admin && Role::Admin > Role::Editor);
        assert!(Role::Editor.can_edit() && !Role::Viewer.can_edit());
        assert!(Role::Admin.can_manage_users() && !Role::Editor.can_manage_users());
        for role in [Role::Owner, Role::Admin, Role::Editor, Role::Viewer] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!(
            "root"
                .parse::<Role>()
                .unwrap_err()
                .contains("unknown role `root`")
        );
    }
}
