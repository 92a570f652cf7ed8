//! The `weft` client commands: talk to a running server over GraphQL (`WEFT_URL`, authenticated
//! by `WEFT_API_KEY`, `WEFT_TOKEN` or the sign-in `weft login` stored). Tables by default,
//! `--json` for scripts; a failure exits non-zero with one line naming the reason.

mod auth;
mod client;
mod credentials;
mod executions;
mod output;
mod session;
mod workflows;

use std::path::PathBuf;

pub use client::{Client, ClientArgs};
use workflows::Env;

/// Commands that need a running server.
#[derive(Debug, clap::Subcommand)]
pub enum ClientCommand {
    /// Sign in to the server and keep the tokens for later commands (per `WEFT_URL`).
    Login {
        /// Login email.
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// End the stored sign-in for this server.
    Logout,
    /// Manage credentials (secrets go in, never come back out).
    Credentials {
        #[command(subcommand)]
        action: credentials::CredentialsAction,
    },
    /// List workflows.
    List {
        /// Only this environment.
        #[arg(long)]
        env: Option<Env>,
    },
    /// Show a workflow.
    Get {
        /// Workflow id.
        id: String,
    },
    /// Import a Weft or n8n JSON file as a new workflow.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Export a workflow as Weft JSON.
    Export {
        /// Workflow id.
        id: String,
        /// Where to write it.
        file: PathBuf,
        /// A past version instead of the current one.
        #[arg(long)]
        version: Option<u64>,
    },
    /// Activate a workflow's triggers.
    Activate {
        /// Workflow id.
        id: String,
    },
    /// Deactivate a workflow's triggers.
    Deactivate {
        /// Workflow id.
        id: String,
    },
    /// Promote a workflow to the next environment.
    Promote {
        /// Workflow id.
        id: String,
        /// Target environment.
        env: Env,
    },
    /// Show a workflow's version history.
    History {
        /// Workflow id.
        id: String,
    },
    /// Show what changed between two versions.
    Diff {
        /// Workflow id.
        id: String,
        /// From version.
        from: u64,
        /// To version.
        to: u64,
    },
    /// Run a workflow, show each node as it finishes and wait for the result.
    Execute {
        /// Workflow id.
        id: String,
        /// Input items for the start node (JSON; an array gives one item per element).
        #[arg(long)]
        input: Option<String>,
    },
    /// List the newest executions (of one workflow).
    Executions {
        /// Workflow id.
        workflow: Option<String>,
    },
    /// Show an execution's events in order on the version that ran.
    Replay {
        /// Execution id.
        id: String,
    },
}

/// Runs a client command.
pub async fn run(args: &ClientArgs, command: ClientCommand) -> anyhow::Result<()> {
    let client = Client::new(args);
    let as_json = args.json;
    match command {
        ClientCommand::Login {
            email,
            password_stdin,
        } => {
            let source = if password_stdin {
                auth::PasswordSource::Stdin
            } else {
                auth::PasswordSource::Prompt
            };
            auth::login(&client, &email, source, as_json).await
        }
        ClientCommand::Logout => auth::logout(&client, as_json).await,
        ClientCommand::Credentials { action } => credentials::run(&client, action, as_json).await,
        ClientCommand::List { env } => workflows::list(&client, env, as_json).await,
        ClientCommand::Get { id } => workflows::get(&client, &id, as_json).await,
        ClientCommand::Import { file } => workflows::import(&client, &file, as_json).await,
        ClientCommand::Export { id, file, version } => {
            workflows::export(&client, &id, &file, version).await
        }
        ClientCommand::Activate { id } => workflows::set_active(&client, &id, true, as_json).await,
        ClientCommand::Deactivate { id } => {
            workflows::set_active(&client, &id, false, as_json).await
        }
        ClientCommand::Promote { id, env } => workflows::promote(&client, &id, env, as_json).await,
        ClientCommand::History { id } => workflows::history(&client, &id, as_json).await,
        ClientCommand::Diff { id, from, to } => {
            workflows::diff(&client, &id, from, to, as_json).await
        }
        ClientCommand::Execute { id, input } => {
            executions::execute(&client, &id, input.as_deref(), as_json).await
        }
        ClientCommand::Executions { workflow } => {
            executions::list(&client, workflow.as_deref(), as_json).await
        }
        ClientCommand::Replay { id } => executions::replay(&client, &id, as_json).await,
    }
}
