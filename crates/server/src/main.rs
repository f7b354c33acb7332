//! `journal-server`: the journal API as a program. This crate owns what only a program has:
//! the command line, settings from files and the environment, logging setup, start-up and
//! shutdown. Everything a request touches lives in the library crates.
//!
//! Invariant: only this crate reads files or the environment.

mod dev;
mod private_postgres;
mod serve;
mod settings;
mod startup;
mod telemetry;
mod web_build;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::settings::{Settings, Sources};

/// The journal backend: verifies Neon Auth tokens and keeps each user's journal entries.
#[derive(Debug, Parser)]
#[command(name = "journal-server", version, about)]
struct Cli {
    /// A settings file layered over the built-in defaults (see config/default.toml).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the API (the default): migrate, then serve until SIGTERM or SIGINT.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Run the API with a built-in development identity provider, on loopback only.
    Dev,
}

fn main() -> ExitCode {
    let cli = Cli::parse();

    // A missing .env is normal; a malformed one is worth saying.
    if let Err(error) = dotenvy::dotenv()
        && !error.not_found()
    {
        eprintln!("journal-server: ignoring .env: {error}");
    }

    let sources = Sources {
        file: cli.config,
        profile: std::env::var("JOURNAL_PROFILE").ok(),
    };
    let settings = match Settings::load(&sources) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("journal-server: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log);

    let command = cli.command.unwrap_or(Command::Serve);
    let outcome = actix_web::rt::System::new().block_on(async move {
        match command {
            Command::Serve => serve::serve(settings).await,
            Command::Migrate => serve::migrate(settings).await,
            Command::Dev => dev::dev(settings).await,
        }
    });

    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "journal-server stopped");
            eprintln!("journal-server: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}
