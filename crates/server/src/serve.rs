//! `serve` and `migrate`: the production commands.

use journal_api::SignIn;
use journal_storage::{ConnectSettings, run_migrations};

use crate::settings::Settings;
use crate::startup::{StartupError, app_state, database, run_api, verifier_config};

/// Migrates (unless turned off), then serves the API until a shutdown signal.
pub async fn serve(settings: Settings) -> Result<(), StartupError> {
    let connect = ConnectSettings::parse(settings.database_url()?)?
        .through_transaction_pooler(settings.database.transaction_pooler);
    let verifier_config = verifier_config(&settings.auth, None)?;

    if settings.database.migrate_on_start {
        run_migrations(&connect).await?;
    }

    let database = database(&settings, connect)?;
    tracing::info!(
        jwks.url = %verifier_config.jwks_url,
        auth.issuer = %verifier_config.issuer,
        "verifying tokens"
    );
    let neon_auth_url = settings.auth.neon_auth_url.trim();
    let sign_in = (!neon_auth_url.is_empty()).then(|| SignIn::Neon {
        auth_url: neon_auth_url.to_owned(),
    });
    let state = app_state(&settings, database, verifier_config, sign_in)?;

    let host = settings.server.host.clone();
    run_api(&settings, state, &host).await
}

/// Applies pending migrations and exits.
pub async fn migrate(settings: Settings) -> Result<(), StartupError> {
    let connect = ConnectSettings::parse(settings.database_url()?)?
        .through_transaction_pooler(settings.database.transaction_pooler);

    let applied = run_migrations(&connect).await?;

    if applied.is_empty() {
        println!("database schema is up to date");
    } else {
        println!("applied migrations: {}", applied.join(", "));
    }
    Ok(())
}
