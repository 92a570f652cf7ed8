//! Sign-in, refresh-token rotation, sign-out, and authenticating access tokens.

use chrono::Utc;
use subtle::ConstantTimeEq;
use uuid::Uuid;
use weft_domain::metadata::{Actor, EventMetadata};
use weft_domain::user::{Session, SessionCommand, SessionEvent, User, normalize_email};

use super::streams::{Claim, load, serialize};
use super::users::email_stream;
use super::{Access, AuthError, DIRECTORY, Principal, SESSION, Tokens, USER, UserSummary, Via};
use crate::error::StoreError;
use crate::secrets::{fingerprint, random_token};

const BAD_LOGIN: &str = "wrong email or password";

/// A refresh token is `SESSION_ID.SECRET`.
fn split_refresh(token: &str) -> Result<(&str, &str), AuthError> {
    token
        .split_once('.')
        .filter(|(id, secret)| !id.is_empty() && !secret.is_empty())
        .ok_or_else(|| AuthError::Unauthenticated("the refresh token is malformed".into()))
}

/// Whether two hex fingerprints are equal, in constant time.
pub(super) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Access {
    /// Signs in with email and password: starts a session and returns its tokens.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        correlation_id: &str,
    ) -> Result<Tokens, AuthError> {
        let email =
            normalize_email(email).map_err(|_| AuthError::Unauthenticated(BAD_LOGIN.into()))?;
        let user_id = load::<Claim>(self.store(), DIRECTORY, &email_stream(&email))
            .await?
            .state
            .0;
        let user = match &user_id {
            Some(id) => load::<User>(self.store(), USER, id).await?.state,
            None => User::default(),
        };
        let matches = super::password::verify(password, &user.password_hash).await;
        let Some(user_id) = user_id.filter(|_| matches && user.exists) else {
            return Err(AuthError::Unauthenticated(BAD_LOGIN.into()));
        };
        if user.disabled {
            return Err(AuthError::Unauthenticated("this user is disabled".into()));
        }
        let session_id = Uuid::now_v7().to_string();
        let secret = random_token();
        let now = Utc::now();
        let refresh_expires_at = now + self.inner.lifetimes.refresh;
        let events = Session::default().decide(SessionCommand::Start {
            user_id: user_id.clone(),
            refresh_hash: fingerprint(&secret),
            expires_at: refresh_expires_at,
        })?;
        let metadata = metadata(&user_id, correlation_id);
        self.store()
            .append(serialize(SESSION, &session_id, 0, &events, &metadata))
            .await?;
        let (access_token, access_expires_at) =
            self.inner
                .tokens
                .issue(&user_id, &session_id, user.role().as_str(), now);
        Ok(Tokens {
            access_token,
            access_expires_at,
            refresh_token: format!("{session_id}.{secret}"),
            refresh_expires_at,
            user: UserSummary {
                id: user_id,
                email: user.email.clone(),
                role: user.role(),
                disabled: false,
            },
        })
    }

    /// Exchanges a refresh token for new tokens; the presented one stops working. Presenting a
    /// token that was already exchanged ends the session.
    pub async fn refresh(&self, token: &str, correlation_id: &str) -> Result<Tokens, AuthError> {
        let (session_id, secret) = split_refresh(token)?;
        let loaded = load::<Session>(self.store(), SESSION, session_id).await?;
        let mut session = loaded.state;
        let new_secret = random_token();
        let now = Utc::now();
        let refresh_expires_at = now + self.inner.lifetimes.refresh;
        let events = session.decide(SessionCommand::Refresh {
            presented_hash: fingerprint(secret),
            new_hash: fingerprint(&new_secret),
            expires_at: refresh_expires_at,
            now,
        })?;
        let metadata = metadata(&session.user_id, correlation_id);
        match self
            .store()
            .append(serialize(
                SESSION,
                session_id,
                loaded.version,
                &events,
                &metadata,
            ))
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                return Err(AuthError::Unauthenticated(
                    "the refresh token was already used".into(),
                ));
            }
            Err(other) => return Err(other.into()),
        }
        if matches!(events.as_slice(), [SessionEvent::SessionEnded { .. }]) {
            return Err(AuthError::Unauthenticated(
                "the refresh token was already used; the session is ended".into(),
            ));
        }
        events.iter().for_each(|e| session.fold(e));
        let user = load::<User>(self.store(), USER, &session.user_id)
            .await?
            .state;
        if !user.exists || user.disabled {
            return Err(AuthError::Unauthenticated("this user is disabled".into()));
        }
        let (access_token, access_expires_at) =
            self.inner
                .tokens
                .issue(&session.user_id, session_id, user.role().as_str(), now);
        Ok(Tokens {
            access_token,
            access_expires_at,
            refresh_token: format!("{session_id}.{new_secret}"),
            refresh_expires_at,
            user: UserSummary {
                id: session.user_id.clone(),
                email: user.email.clone(),
                role: user.role(),
                disabled: false,
            },
        })
    }

    /// Ends the caller's session: its refresh token and access tokens stop working.
    pub async fn logout(&self, by: &Principal, correlation_id: &str) -> Result<(), AuthError> {
        let Via::Session(session_id) = &by.via else {
            return Err(AuthError::Invalid(
                "an API key has no session to end: revoke the key instead".into(),
            ));
        };
        let loaded = load::<Session>(self.store(), SESSION, session_id).await?;
        let events = loaded.state.decide(SessionCommand::End {
            reason: "logout".into(),
        })?;
        self.store()
            .append(serialize(
                SESSION,
                session_id,
                loaded.version,
                &events,
                &metadata(&by.user_id, correlation_id),
            ))
            .await?;
        Ok(())
    }

    /// The caller behind an access token: valid signature and expiry, a live session, an
    /// enabled user (with their current role).
    pub async fn authenticate_token(&self, token: &str) -> Result<Principal, AuthError> {
        let claims = self
            .inner
            .tokens
            .verify(token)
            .map_err(|m| AuthError::Unauthenticated(m.into()))?;
        let session = load::<Session>(self.store(), SESSION, &claims.sid)
            .await?
            .state;
        if session.ended || session.user_id != claims.sub {
            return Err(AuthError::Unauthenticated(
                "the session of this access token has ended: sign in again".into(),
            ));
        }
        self.principal(&claims.sub, Via::Session(claims.sid)).await
    }

    /// The principal for an enabled user.
    pub(super) async fn principal(&self, user_id: &str, via: Via) -> Result<Principal, AuthError> {
        let user = load::<User>(self.store(), USER, user_id).await?.state;
        if !user.exists || user.disabled {
            return Err(AuthError::Unauthenticated("this user is disabled".into()));
        }
        Ok(Principal {
            user_id: user_id.to_string(),
            email: user.email.clone(),
            role: user.role(),
            via,
        })
    }
}

fn metadata(user_id: &str, correlation_id: &str) -> EventMetadata {
    EventMetadata {
        actor: Actor::user(user_id),
        timestamp: Utc::now(),
        correlation_id: correlation_id.to_string(),
        causation_id: None,
    }
}
