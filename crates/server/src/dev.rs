//! `dev`: the whole system on one machine, offline. The API runs as `serve` would, beside a
//! development identity provider; both listen on loopback only. The API fetches the
//! provider's keys over HTTP, the same path production tokens take.

use std::time::Duration;

use actix_web::HttpServer;
use journal_api::{CorsSettings, DevIdentity, SignIn, dev_identity_app};
use journal_storage::{ConnectSettings, ensure_database, run_migrations};
use secrecy::ExposeSecret;
use url::Url;

use std::path::{Path, PathBuf};

use crate::private_postgres::PrivateCluster;
use crate::settings::Settings;
use crate::startup::{StartupError, app_state, database, run_api, verifier_config};
use crate::web_build::{ClientBuild, build_if_missing};

const LOOPBACK: &str = "127.0.0.1";

pub async fn dev(settings: Settings) -> Result<(), StartupError> {
    tracing::warn!("dev mode: a development identity provider signs tokens for anyone");

    let configured = [
        settings.database.url.expose_secret(),
        settings.dev.database_url.expose_secret(),
    ]
    .into_iter()
    .find(|url| !url.trim().is_empty())
    .map(str::to_owned);
    let (database_url, cluster) = match configured {
        Some(url) => (url, None),
        None => {
            let folder = Some(settings.dev.data_dir.trim()).filter(|dir| !dir.is_empty());
            let cluster = PrivateCluster::start(folder.map(PathBuf::from))?;
            println!(
                "PostgreSQL:         private cluster in {}",
                cluster.data_folder().display()
            );
            (cluster.database_url(), Some(cluster))
        }
    };
    let connect = ConnectSettings::parse(&database_url)?
        .through_transaction_pooler(settings.database.transaction_pooler);
    if !connect.is_local() {
        return Err(StartupError::Other(format!(
            "dev refuses the database at {}: its identity provider creates users and signs \
             tokens for anyone, so it only runs against a database on this machine. Unset \
             DATABASE_URL (and its line in .env) to use a private cluster, or use `serve`.",
            connect.host_names(),
        )));
    }
    ensure_database(&connect).await?;
    run_migrations(&connect).await?;
    let database = database(&settings, connect)?;

    let auth_base = format!("http://{LOOPBACK}:{}", settings.dev.auth_port);
    let auth_url =
        Url::parse(&auth_base).map_err(|error| StartupError::Other(error.to_string()))?;
    let lifetime = Duration::from_secs(settings.dev.token_lifetime_seconds);
    let seed = match &cluster {
        Some(cluster) => kept_seed(&cluster.data_folder().with_extension("signing-key"))?,
        None => fresh_seed()?,
    };
    let identity = DevIdentity::from_seed(auth_base.clone(), lifetime, &seed);

    let identity_server = {
        let identity = identity.clone();
        let database = database.clone();
        let api_port = settings.server.port;
        let mut allowed_origins = settings.cors.allowed_origins.clone();
        allowed_origins.push(format!("http://localhost:{api_port}"));
        allowed_origins.push(format!("http://{LOOPBACK}:{api_port}"));
        let cors = CorsSettings {
            allowed_origins,
            ..CorsSettings::default()
        };
        let address = format!("{LOOPBACK}:{}", settings.dev.auth_port);
        HttpServer::new(move || dev_identity_app(identity.clone(), database.clone(), cors.clone()))
            .workers(1)
            .disable_signals()
            .bind(&address)
            .map_err(|cause| StartupError::Bind { address, cause })?
            .run()
    };
    let identity_handle = identity_server.handle();
    actix_web::rt::spawn(identity_server);

    if let ClientBuild::Failed(reason) = build_if_missing(&settings.web.dir) {
        println!("The web client could not be built: {reason}.");
    }
    let state = app_state(
        &settings,
        database.clone(),
        verifier_config(&settings.auth, Some(&auth_url))?,
        Some(SignIn::Dev {
            auth_url: auth_base.clone(),
        }),
    )?;
    let demo = identity
        .issue(&database, &settings.dev.demo_email)
        .await
        .map_err(|error| StartupError::Other(format!("cannot issue the demo token: {error}")))?;
    let serves_client = state
        .web_client
        .as_ref()
        .is_some_and(|client| client.folder().is_some());
    print_banner(&settings, &auth_base, &demo.token, serves_client);

    let outcome = run_api(&settings, state, LOOPBACK).await;
    identity_handle.stop(true).await;
    if let Some(cluster) = cluster {
        cluster.stop()?;
    }
    outcome
}

/// The identity provider's key seed kept in `path` (readable by its owner only), so that the
/// tokens a browser holds outlive a restart of `dev`; made and written on first use. Only a
/// private cluster has a folder for it: with a configured database each run makes a new key.
fn kept_seed(path: &Path) -> Result<[u8; 32], StartupError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    let unusable = |reason: String| {
        StartupError::Other(format!(
            "the development signing key {} {reason}; delete it to make a new one",
            path.display()
        ))
    };

    match std::fs::read(path) {
        Ok(bytes) => <[u8; 32]>::try_from(bytes.as_slice())
            .map_err(|_| unusable("is not a key this program wrote".into())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let seed = fresh_seed()?;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .and_then(|mut file| file.write_all(&seed))
                .map_err(|error| unusable(format!("cannot be written ({error})")))?;
            tracing::info!(dev.key_file = %path.display(), "made a development signing key");
            Ok(seed)
        }
        Err(error) => Err(unusable(format!("cannot be read ({error})"))),
    }
}

fn fresh_seed() -> Result<[u8; 32], StartupError> {
    DevIdentity::new_seed().map_err(|error| StartupError::Other(error.to_string()))
}

fn print_banner(settings: &Settings, auth_base: &str, token: &str, serves_client: bool) {
    let api = format!("http://{LOOPBACK}:{}", settings.server.port);
    let lifetime = match settings.dev.token_lifetime_seconds {
        1 => "1 second".to_owned(),
        seconds if seconds < 120 => format!("{seconds} seconds"),
        seconds => format!("{} minutes", seconds / 60),
    };
    let email = &settings.dev.demo_email;
    println!(
        "\n\
        ==> journal-server dev: FOR DEVELOPMENT ONLY. The identity provider below signs a token\n\
        ==> for any email without a password. Never expose it; use `serve` with Neon Auth.\n\
        \n\
        API:                {api}/api/entries\n\
        Identity provider:  {auth_base}  (keys: /.well-known/jwks.json, tokens: POST /token)\n\
        Demo user:          {email}  (token valid for {lifetime})\n\
        \n\
        export TOKEN={token}\n\
        \n\
        Write an entry, then read your entries:\n\
        \x20 curl -s -w '\\n' -X POST {api}/api/entries -H \"Authorization: Bearer $TOKEN\" \
        -H 'Content-Type: application/json' -d '{{\"content\":\"My first entry\"}}'\n\
        \x20 curl -s -w '\\n' {api}/api/entries -H \"Authorization: Bearer $TOKEN\"\n\
        A token for another user:\n\
        \x20 curl -s -w '\\n' -X POST {auth_base}/token -H 'Content-Type: application/json' \
        -d '{{\"email\":\"you@example.com\"}}'\n"
    );
    let port = settings.server.port;
    if serves_client {
        println!("The journal in a browser: open http://localhost:{port}\n");
    } else {
        println!(
            "No web client build found (web.dir = {:?}); to use the journal in a browser, \
             build it with `npm --prefix web ci && npm --prefix web run build` and restart.\n",
            settings.web.dir
        );
    }
}
