//! `weft login` and `weft logout`: sign in to a server and keep the tokens for later commands.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use serde_json::json;

use super::client::{AUTH_FIELDS, Client, stored_session};
use super::output::json;
use super::session;

/// Where the password comes from.
pub enum PasswordSource {
    /// The first line of standard input (for scripts).
    Stdin,
    /// A hidden prompt on the terminal.
    Prompt,
}

fn read_password(source: PasswordSource) -> anyhow::Result<String> {
    let password = match source {
        PasswordSource::Stdin => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
        PasswordSource::Prompt => {
            if !std::io::stdin().is_terminal() {
                bail!(
                    "no terminal to ask for the password: pass it on stdin with --password-stdin"
                );
            }
            rpassword::prompt_password("Password: ").context("cannot read the password")?
        }
    };
    if password.is_empty() {
        bail!("the password is empty");
    }
    Ok(password)
}

/// `weft login --email E [--password-stdin]`: signs in and stores the tokens for this URL.
pub async fn login(
    client: &Client,
    email: &str,
    source: PasswordSource,
    as_json: bool,
) -> anyhow::Result<()> {
    let password = read_password(source)?;
    let data = client
        .request_anonymous(
            &format!(
                "mutation($email: String!, $password: String!) {{ login(email: $email, password: $password) {{ {AUTH_FIELDS} user {{ role }} }} }}"
            ),
            json!({ "email": email, "password": password }),
        )
        .await?;
    let payload = &data["login"];
    session::put(client.url(), stored_session(payload)?)?;
    let role = payload["user"]["role"].as_str().unwrap_or_default();
    if as_json {
        json(&json!({ "email": email, "role": role, "url": client.url() }));
    } else {
        println!("signed in to {} as {email} ({role})", client.url());
    }
    Ok(())
}

/// `weft logout`: ends the session on the server and forgets the stored tokens.
pub async fn logout(client: &Client, as_json: bool) -> anyhow::Result<()> {
    if session::get(client.url())?.is_none() {
        bail!("not signed in to {}", client.url());
    }
    // A session the server already ended (expired, revoked) still gets forgotten here.
    let ended = client.request("mutation { logout }", json!({})).await;
    session::remove(client.url())?;
    if as_json {
        json(&json!({ "url": client.url(), "serverSessionEnded": ended.is_ok() }));
    } else {
        println!("signed out of {}", client.url());
    }
    Ok(())
}
