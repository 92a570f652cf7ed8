//! Access aggregates: `User` (type `user`: email, role, password hash, disabled), `Session`
//! (type `session`: one sign-in and its rotating refresh token) and `ApiKey` (type `apikey`).
//!
//! Invariants: emails are lower case and plausible; nobody but instance setup creates an owner;
//! the owner's role never changes and the owner is never disabled; only admins and the owner
//! manage users; only hashes of passwords and tokens are recorded.

mod api_key;
mod error;
mod events;
mod role;
mod session;

#[cfg(test)]
mod tests;

use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use serde::{Deserialize, Serialize};

pub use api_key::{ApiKey, ApiKeyCommand};
pub use error::UserError;
pub use events::{ApiKeyEvent, DirectoryEvent, SessionEvent, USER_EVENT_VERSION, UserEvent};
pub use role::Role;
pub use session::{Session, SessionCommand};

/// Who asks for a user-management command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manager {
    /// Instance setup or the offline CLI (`weft user create-owner`).
    Setup,
    /// A signed-in user with this id and role.
    User {
        /// The acting user.
        user_id: String,
        /// Their role.
        role: Role,
    },
}

/// What may be asked of a user.
#[derive(Debug, Clone, PartialEq)]
pub enum UserCommand {
    /// Create the user.
    Create {
        /// Login email.
        email: String,
        /// Role.
        role: Role,
        /// Argon2 PHC string of the password.
        password_hash: String,
        /// Who creates it.
        by: Manager,
    },
    /// Change the role.
    ChangeRole {
        /// New role.
        role: Role,
        /// Who changes it.
        by: Manager,
    },
    /// Stop the user from signing in.
    Disable {
        /// Who disables.
        by: Manager,
    },
    /// Let a disabled user sign in again.
    Enable {
        /// Who enables.
        by: Manager,
    },
    /// Replace the password (the caller has checked the current one).
    ChangePassword {
        /// Argon2 PHC string of the new password.
        password_hash: String,
    },
}

/// A user as folded from its events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Whether `UserCreated` happened.
    pub exists: bool,
    /// Login email (lower case).
    pub email: String,
    /// Role.
    pub role: Option<Role>,
    /// Whether sign-in is blocked.
    pub disabled: bool,
    /// Argon2 PHC string.
    pub password_hash: String,
}

/// Lower-cases and checks an email address.
pub fn normalize_email(email: &str) -> Result<String, UserError> {
    let email = email.trim().to_lowercase();
    let plausible = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if plausible {
        Ok(email)
    } else {
        Err(UserError::InvalidEmail(email))
    }
}

impl User {
    /// The role of an existing user (viewer for a user that does not exist).
    pub fn role(&self) -> Role {
        self.role.unwrap_or(Role::Viewer)
    }

    /// The events a command produces, or why it is rejected. Pure: the state does not change.
    pub fn decide(&self, command: UserCommand) -> Result<Vec<UserEvent>, UserError> {
        if !matches!(command, UserCommand::Create { .. }) && !self.exists {
            return Err(UserError::NotFound("user"));
        }
        match command {
            UserCommand::Create {
                email,
                role,
                password_hash,
                by,
            } => {
                if self.exists {
                    return Err(UserError::AlreadyExists("user"));
                }
                match (&by, role) {
                    (Manager::Setup, _) => {}
                    (Manager::User { .. }, Role::Owner) => {
                        return Err(UserError::Forbidden(
                            "the owner is set up once; create admins, editors or viewers".into(),
                        ));
                    }
                    (Manager::User { role: by_role, .. }, _) => manager_may(*by_role)?,
                }
                Ok(vec![UserEvent::UserCreated {
                    email: normalize_email(&email)?,
                    role,
                    password_hash,
                }])
            }
            UserCommand::ChangeRole { role, by } => {
                self.managed_by(&by)?;
                if role == Role::Owner {
                    return Err(UserError::Forbidden(
                        "the owner role cannot be granted".into(),
                    ));
                }
                if self.role == Some(role) {
                    return Ok(vec![]);
                }
                Ok(vec![UserEvent::UserRoleChanged { role }])
            }
            UserCommand::Disable { by } => {
                self.managed_by(&by)?;
                if self.disabled {
                    return Ok(vec![]);
                }
                Ok(vec![UserEvent::UserDisabled])
            }
            UserCommand::Enable { by } => {
                self.managed_by(&by)?;
                if !self.disabled {
                    return Ok(vec![]);
                }
                Ok(vec![UserEvent::UserEnabled])
            }
            UserCommand::ChangePassword { password_hash } => {
                Ok(vec![UserEvent::UserPasswordChanged { password_hash }])
            }
        }
    }

    /// Checks that `by` may change this user: an admin or the owner, never on the owner.
    fn managed_by(&self, by: &Manager) -> Result<(), UserError> {
        if let Manager::User { role, .. } = by {
            manager_may(*role)?;
        }
        if self.role == Some(Role::Owner) {
            return Err(UserError::Forbidden(
                "the owner's role and access cannot be changed".into(),
            ));
        }
        Ok(())
    }

    /// Applies one event.
    pub fn fold(&mut self, event: &UserEvent) {
        match event {
            UserEvent::UserCreated {
                email,
                role,
                password_hash,
            } => {
                self.exists = true;
                self.email = email.clone();
                self.role = Some(*role);
                self.password_hash = password_hash.clone();
            }
            UserEvent::UserRoleChanged { role } => self.role = Some(*role),
            UserEvent::UserDisabled => self.disabled = true,
            UserEvent::UserEnabled => self.disabled = false,
            UserEvent::UserPasswordChanged { password_hash } => {
                self.password_hash = password_hash.clone();
            }
        }
    }
}

fn manager_may(role: Role) -> Result<(), UserError> {
    if role.can_manage_users() {
        Ok(())
    } else {
        Err(UserError::Forbidden(format!(
            "a {role} cannot manage users: only the owner and admins can"
        )))
    }
}

impl Aggregate for User {
    const TYPE: &'static str = "user";
    type Command = UserCommand;
    type Event = UserEvent;
    type Error = UserError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.fold(&event);
    }
}
