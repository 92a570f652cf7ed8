//! Given/when/then tests of the credential life cycle.

use cqrs_es::test::TestFramework;
use serde_json::json;

use super::*;

type Fixture = TestFramework<Credential>;

fn split(public: Value, secret: Value) -> SplitData {
    SplitData {
        public: public.as_object().unwrap().clone(),
        secret: secret.as_object().unwrap().clone(),
    }
}

fn created() -> CredentialEvent {
    CredentialEvent::CredentialCreated {
        name: "Billing API".into(),
        credential_type: "httpBasicAuth".into(),
        public_data: split(json!({"user": "ada"}), json!({})).public,
        secret_fields: vec!["password".into()],
        sealed: "c2VhbGVk".into(),
    }
}

#[test]
fn a_credential_records_only_public_fields_and_the_sealed_secret() {
    Fixture::with(())
        .given_no_previous_events()
        .when(CredentialCommand::Create {
            name: " Billing API ".into(),
            credential_type: "httpBasicAuth".into(),
            data: split(json!({"user": "ada"}), json!({"password": "hunter22"})),
            sealed: "c2VhbGVk".into(),
        })
        .then_expect_events(vec![created()]);
}

#[test]
fn unknown_types_and_deleted_credentials_are_rejected() {
    Fixture::with(())
        .given_no_previous_events()
        .when(CredentialCommand::Create {
            name: "x".into(),
            credential_type: "ftp".into(),
            data: SplitData::default(),
            sealed: String::new(),
        })
        .then_expect_error_message("unknown credential type `ftp`: expected one of httpBasicAuth, httpBearerAuth, httpHeaderAuth, httpQueryAuth, oAuth2Api, postgres, smtp, openAiApi");
    Fixture::with(())
        .given(vec![created(), CredentialEvent::CredentialDeleted])
        .when(CredentialCommand::Delete)
        .then_expect_error(CredentialError::NotFound);
    Fixture::with(())
        .given(vec![created()])
        .when(CredentialCommand::Update {
            name: "".into(),
            data: SplitData::default(),
            sealed: String::new(),
        })
        .then_expect_error(CredentialError::BadName);
}

#[test]
fn deleting_records_the_deletion() {
    Fixture::with(())
        .given(vec![created()])
        .when(CredentialCommand::Delete)
        .then_expect_events(vec![CredentialEvent::CredentialDeleted]);
}
