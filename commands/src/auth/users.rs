//! Owner setup and user management.

use uuid::Uuid;
use weft_domain::metadata::EventMetadata;
use weft_domain::user::{
    DirectoryEvent, Manager, Role, User, UserCommand, UserError, normalize_email,
};

use super::streams::{Claim, load, serialize};
use super::{Access, AuthError, DIRECTORY, Principal, USER, UserSummary, password};
use crate::error::StoreError;

/// Directory stream of an email address.
pub(super) fn email_stream(email: &str) -> String {
    format!("email:{email}")
}

fn summary(id: &str, user: &User) -> UserSummary {
    UserSummary {
        id: id.to_string(),
        email: user.email.clone(),
        role: user.role(),
        disabled: user.disabled,
    }
}

impl Access {
    /// Whether the instance still needs its owner (no user exists yet).
    pub async fn setup_required(&self) -> Result<bool, AuthError> {
        Ok(load::<Claim>(self.store(), DIRECTORY, "owner")
            .await?
            .state
            .0
            .is_none())
    }

    /// Creates the owner; only while no owner exists (`AlreadySetUp` afterwards). The events
    /// are recorded with the new owner as actor (or the actor in `metadata` when it is not a
    /// user, e.g. `system:cli`).
    pub async fn setup_owner(
        &self,
        email: &str,
        password: &str,
        metadata: &EventMetadata,
    ) -> Result<UserSummary, AuthError> {
        if !self.setup_required().await? {
            return Err(AuthError::AlreadySetUp);
        }
        let id = Uuid::now_v7().to_string();
        let metadata = EventMetadata {
            actor: match metadata.actor {
                weft_domain::metadata::Actor::System { .. } => metadata.actor.clone(),
                _ => weft_domain::metadata::Actor::user(&id),
            },
            ..metadata.clone()
        };
        match self
            .create(&id, email, password, Role::Owner, Manager::Setup, &metadata)
            .await
        {
            Err(AuthError::Store(StoreError::Conflict)) | Err(AuthError::EmailTaken(_)) => {
                Err(AuthError::AlreadySetUp)
            }
            other => other,
        }
    }

    /// Creates a user with `role` on behalf of `by` (an admin or the owner).
    pub async fn create_user(
        &self,
        by: &Principal,
        email: &str,
        password: &str,
        role: Role,
        metadata: &EventMetadata,
    ) -> Result<UserSummary, AuthError> {
        let id = Uuid::now_v7().to_string();
        let manager = manager(by);
        self.create(&id, email, password, role, manager, metadata)
            .await
    }

    async fn create(
        &self,
        id: &str,
        email: &str,
        password: &str,
        role: Role,
        by: Manager,
        metadata: &EventMetadata,
    ) -> Result<UserSummary, AuthError> {
        let email = normalize_email(email)?;
        // Decide first (authorization, email) so a refused command costs no password hashing.
        User::default().decide(UserCommand::Create {
            email: email.clone(),
            role,
            password_hash: String::new(),
            by: by.clone(),
        })?;
        let password_hash = password::hash(password).await?;
        let events = User::default().decide(UserCommand::Create {
            email: email.clone(),
            role,
            password_hash,
            by: by.clone(),
        })?;
        let mut batch = Vec::new();
        if by == Manager::Setup && role == Role::Owner {
            batch.extend(serialize(
                DIRECTORY,
                "owner",
                0,
                &[DirectoryEvent::OwnerSetUp {
                    user_id: id.to_string(),
                }],
                metadata,
            ));
        }
        batch.extend(serialize(
            DIRECTORY,
            &email_stream(&email),
            0,
            &[DirectoryEvent::EmailClaimed {
                user_id: id.to_string(),
            }],
            metadata,
        ));
        batch.extend(serialize(USER, id, 0, &events, metadata));
        match self.store().append(batch).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                let claimed = load::<Claim>(self.store(), DIRECTORY, &email_stream(&email))
                    .await?
                    .state
                    .0;
                return Err(match claimed {
                    Some(_) => AuthError::EmailTaken(email),
                    None => AuthError::Store(StoreError::Conflict),
                });
            }
            Err(other) => return Err(other.into()),
        }
        let mut user = User::default();
        events.iter().for_each(|e| user.fold(e));
        Ok(summary(id, &user))
    }

    /// The user with this id.
    pub async fn user(&self, id: &str) -> Result<UserSummary, AuthError> {
        let user = load::<User>(self.store(), USER, id).await?.state;
        if !user.exists {
            return Err(UserError::NotFound("user").into());
        }
        Ok(summary(id, &user))
    }

    /// Runs a management command on user `id` as `by`.
    pub async fn manage_user(
        &self,
        by: &Principal,
        id: &str,
        command: impl Fn(Manager) -> UserCommand,
        metadata: &EventMetadata,
    ) -> Result<UserSummary, AuthError> {
        if by.user_id == id {
            return Err(UserError::Forbidden(
                "you cannot change your own role or access; ask another admin".into(),
            )
            .into());
        }
        self.run_user_command(id, command(manager(by)), metadata)
            .await
    }

    /// Changes the caller's own password after checking the current one.
    pub async fn change_password(
        &self,
        by: &Principal,
        current: &str,
        new: &str,
        metadata: &EventMetadata,
    ) -> Result<UserSummary, AuthError> {
        let user = load::<User>(self.store(), USER, &by.user_id).await?.state;
        if !password::verify(current, &user.password_hash).await {
            return Err(AuthError::Unauthenticated(
                "the current password is wrong".into(),
            ));
        }
        let password_hash = password::hash(new).await?;
        self.run_user_command(
            &by.user_id,
            UserCommand::ChangePassword { password_hash },
            metadata,
        )
        .await
    }

    async fn run_user_command(
        &self,
        id: &str,
        command: UserCommand,
        metadata: &EventMetadata,
    ) -> Result<UserSummary, AuthError> {
        for _ in 0..8 {
            let loaded = load::<User>(self.store(), USER, id).await?;
            let mut user = loaded.state;
            let events = user.decide(command.clone())?;
            match self
                .store()
                .append(serialize(USER, id, loaded.version, &events, metadata))
                .await
            {
                Ok(()) => {
                    events.iter().for_each(|e| user.fold(e));
                    return Ok(summary(id, &user));
                }
                Err(StoreError::Conflict) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(AuthError::Store(StoreError::Conflict))
    }
}

fn manager(by: &Principal) -> Manager {
    Manager::User {
        user_id: by.user_id.clone(),
        role: by.role,
    }
}
