//! The `weft` binary: server, worker and command-line client in one.

mod allocator;
mod cli;
mod config;
mod embedded;
mod projections_cmd;
mod run_cmd;
mod serve;
mod user_cmd;
mod worker_cmd;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use config::ConfigArgs;

/// Weft: event-sourced workflow automation.
#[derive(Debug, Parser)]
#[command(name = "weft", version, about)]
struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
    #[command(flatten)]
    client: cli::ClientArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and UI (embedded SQLite by default).
    Serve,
    /// Run executions from the Postgres queue (no HTTP server); any number of workers may run
    /// next to `weft serve`.
    Worker,
    /// Run a workflow file (Weft or n8n JSON) in-process on a temporary store and print each
    /// node's runs and items.
    Run {
        /// The workflow file.
        file: PathBuf,
        /// Input items for the start node (JSON; an array gives one item per element). With the
        /// global `--json`, prints `{"status", "runData"}` as JSON.
        #[arg(long)]
        input: Option<String>,
    },
    /// Maintain the read models.
    Projections {
        #[command(subcommand)]
        action: ProjectionsAction,
    },
    #[command(flatten)]
    Client(cli::ClientCommand),
    /// Manage users offline, on the data directory (or WEFT_DATABASE_URL).
    User {
        #[command(subcommand)]
        action: UserAction,
    },
}

#[derive(Debug, Subcommand)]
enum UserAction {
    /// Create the owner of a new instance (fails once an owner exists).
    CreateOwner {
        /// The owner's email.
        #[arg(long)]
        email: String,
        /// The owner's password (at least 8 characters).
        #[arg(long, env = "WEFT_OWNER_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

#[derive(Debug, Subcommand)]
enum ProjectionsAction {
    /// Rebuild every read model from the first event.
    Rebuild {
        /// Compare the rebuilt tables with the live ones instead of replacing them; exit 1 when
        /// they differ.
        #[arg(long)]
        verify: bool,
    },
}

#[tokio::main]
async fn main() {
    allocator::return_freed_memory_promptly();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("WEFT_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Err(error) = run(cli).await {
        eprintln!("weft: {error:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config.resolve()?;
    match cli.command {
        Command::Serve => serve::serve(config).await,
        Command::Worker => worker_cmd::worker(config).await,
        Command::Projections {
            action: ProjectionsAction::Rebuild { verify },
        } => projections_cmd::rebuild(config, verify).await,
        Command::Run { file, input } => {
            run_cmd::run(&file, input.as_deref(), cli.client.json).await
        }
        Command::Client(command) => cli::run(&cli.client, command).await,
        Command::User {
            action: UserAction::CreateOwner { email, password },
        } => user_cmd::create_owner(config, &email, &password).await,
    }
}
