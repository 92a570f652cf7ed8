//! Given/when/then tests of users, sessions and API keys.

use chrono::{Duration, TimeZone, Utc};
use cqrs_es::test::TestFramework;

use super::*;

type Fixture = TestFramework<User>;

fn fixture() -> Fixture {
    TestFramework::with(())
}

fn created(role: Role) -> UserEvent {
    UserEvent::UserCreated {
        email: "ada@example.com".into(),
        role,
        password_hash: "$argon2id$hash".into(),
    }
}

fn by(role: Role) -> Manager {
    Manager::User {
        user_id: "manager".into(),
        role,
    }
}

fn create(role: Role, manager: Manager) -> UserCommand {
    UserCommand::Create {
        email: " Ada@Example.com ".into(),
        role,
        password_hash: "$argon2id$hash".into(),
        by: manager,
    }
}

#[test]
fn setup_creates_the_owner_with_a_normalized_email() {
    fixture()
        .given_no_previous_events()
        .when(create(Role::Owner, Manager::Setup))
        .then_expect_events(vec![created(Role::Owner)]);
}

#[test]
fn admins_create_users_but_never_owners() {
    fixture()
        .given_no_previous_events()
        .when(create(Role::Editor, by(Role::Admin)))
        .then_expect_events(vec![created(Role::Editor)]);
    fixture()
        .given_no_previous_events()
        .when(create(Role::Owner, by(Role::Owner)))
        .then_expect_error(UserError::Forbidden(
            "the owner is set up once; create admins, editors or viewers".into(),
        ));
}

#[test]
fn editors_and_viewers_cannot_manage_users() {
    for role in [Role::Editor, Role::Viewer] {
        let message = format!("a {role} cannot manage users: only the owner and admins can");
        fixture()
            .given_no_previous_events()
            .when(create(Role::Viewer, by(role)))
            .then_expect_error(UserError::Forbidden(message.clone()));
        fixture()
            .given(vec![created(Role::Viewer)])
            .when(UserCommand::ChangeRole {
                role: Role::Admin,
                by: by(role),
            })
            .then_expect_error(UserError::Forbidden(message.clone()));
        fixture()
            .given(vec![created(Role::Viewer)])
            .when(UserCommand::Disable { by: by(role) })
            .then_expect_error(UserError::Forbidden(message));
    }
}

#[test]
fn the_owner_is_never_demoted_or_disabled() {
    let protected = UserError::Forbidden("the owner's role and access cannot be changed".into());
    fixture()
        .given(vec![created(Role::Owner)])
        .when(UserCommand::ChangeRole {
            role: Role::Viewer,
            by: by(Role::Admin),
        })
        .then_expect_error(protected.clone());
    fixture()
        .given(vec![created(Role::Owner)])
        .when(UserCommand::Disable {
            by: by(Role::Owner),
        })
        .then_expect_error(protected);
}

#[test]
fn roles_change_and_users_are_disabled_once() {
    fixture()
        .given(vec![created(Role::Viewer)])
        .when(UserCommand::ChangeRole {
            role: Role::Editor,
            by: by(Role::Admin),
        })
        .then_expect_events(vec![UserEvent::UserRoleChanged { role: Role::Editor }]);
    fixture()
        .given(vec![created(Role::Viewer), UserEvent::UserDisabled])
        .when(UserCommand::Disable {
            by: by(Role::Admin),
        })
        .then_expect_events(vec![]);
    fixture()
        .given(vec![created(Role::Viewer), UserEvent::UserDisabled])
        .when(UserCommand::Enable {
            by: by(Role::Admin),
        })
        .then_expect_events(vec![UserEvent::UserEnabled]);
}

#[test]
fn bad_emails_and_missing_users_are_named() {
    fixture()
        .given_no_previous_events()
        .when(UserCommand::Create {
            email: "not-an-email".into(),
            role: Role::Viewer,
            password_hash: "h".into(),
            by: Manager::Setup,
        })
        .then_expect_error(UserError::InvalidEmail("not-an-email".into()));
    fixture()
        .given_no_previous_events()
        .when(UserCommand::Disable {
            by: by(Role::Owner),
        })
        .then_expect_error(UserError::NotFound("user"));
}

fn session(events: &[SessionEvent]) -> Session {
    let mut session = Session::default();
    events.iter().for_each(|e| session.fold(e));
    session
}

#[test]
fn refresh_tokens_rotate_and_a_reused_one_ends_the_session() {
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
    let started = SessionEvent::SessionStarted {
        user_id: "u1".into(),
        refresh_hash: "h1".into(),
        expires_at: now + Duration::days(30),
    };
    let refresh = |presented: &str| SessionCommand::Refresh {
        presented_hash: presented.into(),
        new_hash: "h2".into(),
        expires_at: now + Duration::days(31),
        now,
    };
    let rotated = SessionEvent::SessionRefreshed {
        refresh_hash: "h2".into(),
        expires_at: now + Duration::days(31),
    };
    assert_eq!(
        session(std::slice::from_ref(&started)).decide(refresh("h1")),
        Ok(vec![rotated.clone()])
    );
    assert_eq!(
        session(std::slice::from_ref(&started)).decide(refresh("other")),
        Err(UserError::InvalidToken("the refresh token is not valid"))
    );
    assert_eq!(
        session(&[started.clone(), rotated.clone()]).decide(refresh("h1")),
        Ok(vec![SessionEvent::SessionEnded {
            reason: "refresh token reused".into()
        }])
    );
    let ended = SessionEvent::SessionEnded {
        reason: "logout".into(),
    };
    assert!(
        session(&[started.clone(), rotated, ended])
            .decide(refresh("h2"))
            .is_err()
    );
    let expired = SessionCommand::Refresh {
        presented_hash: "h1".into(),
        new_hash: "h2".into(),
        expires_at: now,
        now: now + Duration::days(60),
    };
    assert_eq!(
        session(&[started]).decide(expired),
        Err(UserError::InvalidToken("the refresh token expired"))
    );
}

#[test]
fn api_keys_are_revoked_by_their_owner_or_a_manager_only() {
    let mut key = ApiKey::default();
    let events = key
        .decide(ApiKeyCommand::Create {
            user_id: "u1".into(),
            name: " ci ".into(),
            secret_hash: "h".into(),
        })
        .unwrap();
    events.iter().for_each(|e| key.fold(e));
    assert_eq!(key.name, "ci");
    let revoke = |user: &str, manage: bool| ApiKeyCommand::Revoke {
        by_user: user.into(),
        may_manage: manage,
    };
    assert_eq!(
        key.decide(revoke("u2", false)),
        Err(UserError::NotFound("API key"))
    );
    assert_eq!(
        key.decide(revoke("u2", true)),
        Ok(vec![ApiKeyEvent::ApiKeyRevoked])
    );
    assert_eq!(
        key.decide(revoke("u1", false)),
        Ok(vec![ApiKeyEvent::ApiKeyRevoked])
    );
    key.fold(&ApiKeyEvent::ApiKeyRevoked);
    assert_eq!(key.decide(revoke("u1", false)), Ok(vec![]));
}
