//! The server's typed settings and where they come from: `config/default.toml` (built in),
//! an optional profile or explicit file, the tutorial's variable names, then `JOURNAL__…`
//! variables. A missing or malformed value is an error naming the setting.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The built-in defaults; also the reference for every field.
pub const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

/// The built-in `production` profile, used when no `config/production.toml` is on disk.
pub const PRODUCTION_TOML: &str = include_str!("../../../config/production.toml");

/// Everything the server can be configured with.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub cors: CorsSection,
    pub entries: EntrySettings,
    pub rate_limit: RateLimitSection,
    pub metrics: MetricsSection,
    pub log: LogSettings,
    pub web: WebSettings,
    pub dev: DevSettings,
}

/// `[server]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub shutdown_timeout_seconds: u64,
}

/// `[database]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: SecretString,
    pub max_connections: usize,
    pub checkout_timeout_ms: u64,
    pub migrate_on_start: bool,
    pub transaction_pooler: bool,
}

/// `[auth]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub neon_auth_url: String,
    pub jwks_url: String,
    pub issuer: String,
    pub audiences: Vec<String>,
    pub algorithms: Vec<journal_auth::Algorithm>,
    pub leeway_seconds: u64,
    pub refetch_cooldown_seconds: u64,
    pub cache_ttl_seconds: u64,
    pub max_token_bytes: usize,
    pub recent_tokens: usize,
}

/// `[cors]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsSection {
    pub allowed_origins: Vec<String>,
}

/// `[entries]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntrySettings {
    pub max_content_bytes: usize,
}

/// `[rate_limit]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSection {
    pub requests_per_second: u32,
    pub burst: u32,
}

/// `[metrics]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSection {
    pub port: u16,
}

/// `[log]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub filter: String,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// `[web]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSettings {
    pub dir: String,
}

/// `[dev]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevSettings {
    pub database_url: SecretString,
    pub data_dir: String,
    pub auth_port: u16,
    pub demo_email: String,
    pub token_lifetime_seconds: u64,
}

/// Why the settings could not be loaded. The message names the setting at fault.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration error: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration error: {0}")]
    Invalid(String),
}

/// Where to look besides the built-in defaults.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    /// A settings file given on the command line; must exist.
    pub file: Option<PathBuf>,
    /// `JOURNAL_PROFILE`: loads `config/<profile>.toml` when it exists.
    pub profile: Option<String>,
}

impl Settings {
    /// Loads the settings from the built-in defaults, `sources` and the process environment.
    pub fn load(sources: &Sources) -> Result<Self, SettingsError> {
        Self::load_from(sources, |name| std::env::var(name).ok(), std::env::vars())
    }

    /// [`Settings::load`] with the environment given explicitly, for tests.
    pub fn load_from(
        sources: &Sources,
        variable: impl Fn(&str) -> Option<String>,
        all_variables: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, SettingsError> {
        let mut builder = config::Config::builder().add_source(config::File::from_str(
            DEFAULT_TOML,
            config::FileFormat::Toml,
        ));

        if let Some(profile) = sources.profile.as_deref().filter(|name| !name.is_empty()) {
            let path = Path::new("config").join(format!("{profile}.toml"));
            builder = if profile == "production" && !path.exists() {
                builder.add_source(config::File::from_str(
                    PRODUCTION_TOML,
                    config::FileFormat::Toml,
                ))
            } else {
                builder.add_source(config::File::from(path).required(false))
            };
        }
        if let Some(file) = &sources.file {
            builder = builder.add_source(config::File::from(file.as_path()).required(true));
        }

        builder = builder.add_source(TutorialVariables::read(&variable));

        let prefixed: config::Map<String, String> = all_variables
            .into_iter()
            .filter(|(name, _)| name.starts_with("JOURNAL__"))
            .collect();
        builder = builder.add_source(
            config::Environment::with_prefix("JOURNAL")
                .prefix_separator("__")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("auth.audiences")
                .with_list_parse_key("auth.algorithms")
                .with_list_parse_key("cors.allowed_origins")
                .try_parsing(true)
                .source(Some(prefixed)),
        );

        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), SettingsError> {
        if self.database.max_connections == 0 {
            return Err(SettingsError::Invalid(
                "database.max_connections must be at least 1".into(),
            ));
        }
        if self.entries.max_content_bytes == 0 {
            return Err(SettingsError::Invalid(
                "entries.max_content_bytes must be at least 1".into(),
            ));
        }
        if self.auth.algorithms.is_empty() {
            return Err(SettingsError::Invalid(
                "auth.algorithms must name at least one".into(),
            ));
        }
        Ok(())
    }

    /// The database URL, or an error naming the setting when it is empty.
    pub fn database_url(&self) -> Result<&str, SettingsError> {
        let url = self.database.url.expose_secret();
        if url.trim().is_empty() {
            return Err(SettingsError::Invalid(
                "database.url is not set (set DATABASE_URL or JOURNAL__DATABASE__URL)".into(),
            ));
        }
        Ok(url)
    }
}

/// The variable names the tutorial's backend read, as a configuration source that sits
/// below the `JOURNAL__` variables.
#[derive(Debug, Clone)]
struct TutorialVariables(config::Map<String, config::Value>);

impl TutorialVariables {
    fn read(variable: &impl Fn(&str) -> Option<String>) -> Self {
        let origin = "environment".to_owned();
        let mut values = config::Map::new();

        for (name, key) in [
            ("DATABASE_URL", "database.url"),
            ("NEON_AUTH_URL", "auth.neon_auth_url"),
            ("PORT", "server.port"),
        ] {
            if let Some(value) = variable(name).filter(|value| !value.is_empty()) {
                values.insert(key.to_owned(), config::Value::new(Some(&origin), value));
            }
        }

        if let Some(origins) = variable("FRONTEND_URL").filter(|value| !value.is_empty()) {
            let list: Vec<config::Value> = origins
                .split(',')
                .map(|one| config::Value::new(Some(&origin), one.trim().to_owned()))
                .collect();
            values.insert(
                "cors.allowed_origins".to_owned(),
                config::Value::new(Some(&origin), list),
            );
        }

        Self(values)
    }
}

impl config::Source for TutorialVariables {
    fn clone_into_box(&self) -> Box<dyn config::Source + Send + Sync> {
        Box::new(self.clone())
    }

    fn collect(&self) -> Result<config::Map<String, config::Value>, config::ConfigError> {
        Ok(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let lookup = owned.clone();
        Settings::load_from(
            &Sources::default(),
            move |name| {
                lookup
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            },
            owned,
        )
    }

    #[test]
    fn the_default_file_alone_covers_every_field() {
        // deny_unknown_fields plus no serde defaults: a field missing from the file, or a
        // stale one left in it, fails here.
        let parsed: Settings = toml_from_default();

        assert_eq!(parsed.server.port, 3000);
        assert_eq!(
            parsed.cors.allowed_origins,
            vec!["http://localhost:5173".to_owned()]
        );
        assert_eq!(parsed.entries.max_content_bytes, 65536);
    }

    fn toml_from_default() -> Settings {
        config::Config::builder()
            .add_source(config::File::from_str(
                DEFAULT_TOML,
                config::FileFormat::Toml,
            ))
            .build()
            .unwrap()
            .try_deserialize()
            .unwrap()
    }

    #[test]
    fn the_tutorial_variables_are_honoured() {
        let settings = load(&[
            ("DATABASE_URL", "postgres://u@h/db"),
            ("NEON_AUTH_URL", "https://auth.example/neondb/auth"),
            ("FRONTEND_URL", "https://app.example, https://other.example"),
            ("PORT", "8080"),
        ])
        .unwrap();

        assert_eq!(settings.database_url().unwrap(), "postgres://u@h/db");
        assert_eq!(
            settings.auth.neon_auth_url,
            "https://auth.example/neondb/auth"
        );
        assert_eq!(
            settings.cors.allowed_origins,
            vec![
                "https://app.example".to_owned(),
                "https://other.example".to_owned()
            ]
        );
        assert_eq!(settings.server.port, 8080);
    }

    #[test]
    fn prefixed_variables_win_over_the_tutorial_names() {
        let settings = load(&[
            ("PORT", "8080"),
            ("JOURNAL__SERVER__PORT", "9090"),
            ("JOURNAL__DATABASE__MAX_CONNECTIONS", "3"),
        ])
        .unwrap();

        assert_eq!(settings.server.port, 9090);
        assert_eq!(settings.database.max_connections, 3);
    }

    #[test]
    fn the_production_profile_logs_json() {
        let sources = Sources {
            file: None,
            profile: Some("production".into()),
        };

        let settings = Settings::load_from(&sources, |_| None, Vec::new()).unwrap();

        assert_eq!(settings.log.format, LogFormat::Json);
    }

    #[test]
    fn a_malformed_value_names_its_setting() {
        let error = load(&[("JOURNAL__SERVER__PORT", "not-a-port")])
            .unwrap_err()
            .to_string();

        assert!(error.contains("server.port"), "{error}");
    }

    #[test]
    fn an_unknown_algorithm_is_refused() {
        let error = load(&[("JOURNAL__AUTH__ALGORITHMS", "EdDSA,HS256")]).unwrap_err();

        assert!(error.to_string().contains("auth.algorithms"), "{error}");
    }

    #[test]
    fn a_missing_database_url_names_the_variable() {
        let settings = load(&[]).unwrap();

        let error = settings.database_url().unwrap_err().to_string();

        assert!(error.contains("DATABASE_URL"), "{error}");
    }
}
