//! Reads a Postgres connection string the way libpq does and opens connections from it, with
//! TLS through rustls: `sslmode` (`disable`, `prefer`, `require`, `verify-ca`, `verify-full`),
//! `sslrootcert` (a PEM file, or `system`) and `channel_binding` are honoured. Connections
//! through a transaction-mode pooler that does not keep prepared statements (PgBouncer before
//! 1.21) prepare every statement afresh instead of caching it; see
//! [`ConnectSettings::through_transaction_pooler`].

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use diesel::ConnectionError;
use diesel::connection::CacheSize;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error as TlsError, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::StorageError;

/// How much TLS a connection insists on, with libpq's meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain TCP only.
    Disable,
    /// TLS when the server offers it, without checking the certificate (libpq's default).
    Prefer,
    /// TLS always; the certificate is checked only when `sslrootcert` is given.
    Require,
    /// TLS always, with a certificate chain to a trusted root; the host name is not checked.
    VerifyCa,
    /// TLS always, with a trusted chain and a certificate issued for the host.
    VerifyFull,
}

impl FromStr for SslMode {
    type Err = StorageError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "disable" => Ok(Self::Disable),
            "allow" | "prefer" => Ok(Self::Prefer),
            "require" => Ok(Self::Require),
            "verify-ca" => Ok(Self::VerifyCa),
            "verify-full" => Ok(Self::VerifyFull),
            other => Err(StorageError::InvalidUrl(format!(
                "unknown sslmode {other:?}"
            ))),
        }
    }
}

/// A parsed connection string: where to connect and how to secure it.
#[derive(Clone)]
pub struct ConnectSettings {
    postgres: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    ssl_mode: SslMode,
    transaction_pooler: bool,
}

impl fmt::Debug for ConnectSettings {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("ConnectSettings")
            .field("hosts", &self.postgres.get_hosts())
            .field("database", &self.postgres.get_dbname())
            .field("user", &self.postgres.get_user())
            .field("ssl_mode", &self.ssl_mode)
            .field("transaction_pooler", &self.transaction_pooler)
            .finish_non_exhaustive()
    }
}

impl ConnectSettings {
    /// Parses a `postgres://` or `postgresql://` URL.
    pub fn parse(database_url: &str) -> Result<Self, StorageError> {
        let mut url = url::Url::parse(database_url)
            .map_err(|error| StorageError::InvalidUrl(format!("not a URL ({error})")))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(StorageError::InvalidUrl(
                "the scheme must be postgres or postgresql".into(),
            ));
        }

        let mut ssl_mode = SslMode::Prefer;
        let mut root_cert = None;
        let mut kept = Vec::new();
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "sslmode" => ssl_mode = value.parse()?,
                "sslrootcert" => root_cert = Some(value.into_owned()),
                "sslcert" | "sslkey" | "sslpassword" | "sslcrl" => {
                    return Err(StorageError::InvalidUrl(format!("{key} is not supported")));
                }
                _ => kept.push((key.into_owned(), value.into_owned())),
            }
        }
        url.query_pairs_mut().clear().extend_pairs(kept);
        let passed_on = url.as_str().trim_end_matches('?');

        let mut postgres = tokio_postgres::Config::from_str(passed_on)
            .map_err(|error| StorageError::InvalidUrl(error.to_string()))?;
        postgres.ssl_mode(match ssl_mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        if postgres.get_application_name().is_none() {
            postgres.application_name("journal");
        }

        let tls = MakeRustlsConnect::new(tls_config(ssl_mode, root_cert.as_deref())?);
        Ok(Self {
            postgres,
            tls,
            ssl_mode,
            transaction_pooler: false,
        })
    }

    /// Marks the URL as leading to a pooler in transaction mode that hands each transaction
    /// to any server connection and does not carry prepared statements between them
    /// (PgBouncer before 1.21, or with `max_prepared_statements = 0`). Connections then keep
    /// no statement cache, and [`crate::Database`] runs each unit of work in one transaction,
    /// so a statement is prepared, used and closed on the same server connection.
    pub fn through_transaction_pooler(mut self, yes: bool) -> Self {
        self.transaction_pooler = yes;
        self
    }

    /// Whether [`ConnectSettings::through_transaction_pooler`] is in force.
    pub fn is_through_transaction_pooler(&self) -> bool {
        self.transaction_pooler
    }

    /// The TLS mode in force.
    pub fn ssl_mode(&self) -> SslMode {
        self.ssl_mode
    }

    /// The database name, if the URL names one.
    pub fn database_name(&self) -> Option<&str> {
        self.postgres.get_dbname()
    }

    /// True when every host is this machine: a Unix socket or a loopback address.
    pub fn is_local(&self) -> bool {
        self.postgres.get_hosts().iter().all(|host| match host {
            tokio_postgres::config::Host::Unix(_) => true,
            tokio_postgres::config::Host::Tcp(name) => {
                name == "localhost"
                    || name
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
        })
    }

    /// The host names, for messages.
    pub fn host_names(&self) -> String {
        self.postgres
            .get_hosts()
            .iter()
            .map(|host| match host {
                tokio_postgres::config::Host::Tcp(name) => name.clone(),
                tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The same settings pointed at another database on the same server.
    pub fn with_database(&self, name: &str) -> Self {
        let mut copy = self.clone();
        copy.postgres.dbname(name);
        copy
    }

    /// Opens a raw `tokio_postgres` client; its connection runs on a spawned task.
    pub async fn connect_raw(&self) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, connection) = self.postgres.connect(self.tls.clone()).await?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "raw database connection closed");
            }
        });
        Ok(client)
    }

    /// Opens a diesel-async connection.
    pub async fn connect(&self) -> Result<AsyncPgConnection, ConnectionError> {
        let (client, connection) = self
            .postgres
            .connect(self.tls.clone())
            .await
            .map_err(|error| ConnectionError::BadConnection(describe(&error)))?;
        if !self.transaction_pooler {
            return AsyncPgConnection::try_from_client_and_connection(client, connection).await;
        }

        // diesel-async's set-up runs its `SET`s as prepared statements, which a pooler in
        // transaction mode may parse on one server connection and execute on another. Inside
        // one transaction they stay together, and the statements the set-up cached are closed
        // (by dropping the cache) before the transaction ends.
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "pooled database connection closed");
            }
        });
        let setup_failed =
            |error: tokio_postgres::Error| ConnectionError::BadConnection(describe(&error));
        client.batch_execute("BEGIN").await.map_err(setup_failed)?;
        let mut connection = AsyncPgConnection::try_from(client).await?;
        connection.set_prepared_statement_cache_size(CacheSize::Disabled);
        connection
            .batch_execute("COMMIT")
            .await
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
        Ok(connection)
    }
}

/// A connection error with its cause chain, which `tokio_postgres` keeps out of `Display`.
pub(crate) fn describe(error: &tokio_postgres::Error) -> String {
    use std::error::Error as _;
    match error.source() {
        Some(source) => format!("{error}: {source}"),
        None => error.to_string(),
    }
}

fn tls_config(
    mode: SslMode,
    root_cert: Option<&str>,
) -> Result<rustls::ClientConfig, StorageError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|error| StorageError::InvalidUrl(format!("TLS setup failed: {error}")))?;

    let checks_chain = matches!(mode, SslMode::VerifyCa | SslMode::VerifyFull)
        || (mode == SslMode::Require && root_cert.is_some());
    if !checks_chain {
        let verifier = AcceptAnyCertificate { provider };
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth());
    }

    let roots = Arc::new(trusted_roots(root_cert)?);
    let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider)
        .build()
        .map_err(|error| StorageError::InvalidUrl(format!("TLS setup failed: {error}")))?;
    if mode == SslMode::VerifyFull {
        return Ok(builder.with_webpki_verifier(webpki).with_no_client_auth());
    }

    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ChainOnly { webpki }))
        .with_no_client_auth())
}

fn trusted_roots(root_cert: Option<&str>) -> Result<rustls::RootCertStore, StorageError> {
    use rustls::pki_types::pem::PemObject;

    let mut roots = rustls::RootCertStore::empty();
    match root_cert {
        Some(path) if path != "system" => {
            let certificates = CertificateDer::pem_file_iter(path).map_err(|error| {
                StorageError::InvalidUrl(format!("cannot read sslrootcert {path:?}: {error}"))
            })?;
            for certificate in certificates {
                let certificate = certificate.map_err(|error| {
                    StorageError::InvalidUrl(format!("bad certificate in {path:?}: {error}"))
                })?;
                roots.add(certificate).map_err(|error| {
                    StorageError::InvalidUrl(format!("unusable certificate in {path:?}: {error}"))
                })?;
            }
        }
        _ => {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            for certificate in rustls_native_certs::load_native_certs().certs {
                // A platform certificate rustls cannot parse is simply not trusted.
                let _ = roots.add(certificate);
            }
        }
    }
    Ok(roots)
}

/// `sslmode=prefer|require` without a root certificate: encrypt, but accept any certificate,
/// as libpq does. Handshake signatures are still checked.
#[derive(Debug)]
struct AcceptAnyCertificate {
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, certificate, signature, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, certificate, signature, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `sslmode=verify-ca`: a trusted chain is required, the host name is not compared.
#[derive(Debug)]
struct ChainOnly {
    webpki: Arc<rustls::client::WebPkiServerVerifier>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        let verdict =
            self.webpki
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now);
        match verdict {
            Err(TlsError::InvalidCertificate(CertificateError::NotValidForName))
            | Err(TlsError::InvalidCertificate(CertificateError::NotValidForNameContext {
                ..
            })) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.webpki
            .verify_tls12_signature(message, certificate, signature)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.webpki
            .verify_tls13_signature(message, certificate, signature)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_neon_style_url_parses() {
        let url = "postgresql://alex:AbC123dEf@ep-cool-darkness-pooler.us-east-2.aws.neon.tech\
                   /dbname?sslmode=require&channel_binding=require";

        let settings = ConnectSettings::parse(url).unwrap();

        assert_eq!(settings.ssl_mode(), SslMode::Require);
        assert_eq!(settings.database_name(), Some("dbname"));
    }

    #[test]
    fn every_libpq_sslmode_is_understood_and_others_are_refused() {
        for (text, mode) in [
            ("disable", SslMode::Disable),
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-ca", SslMode::VerifyCa),
            ("verify-full", SslMode::VerifyFull),
        ] {
            let settings = ConnectSettings::parse(&format!("postgres://h/db?sslmode={text}"));
            assert_eq!(settings.unwrap().ssl_mode(), mode);
        }

        assert!(ConnectSettings::parse("postgres://h/db?sslmode=sometimes").is_err());
    }

    #[test]
    fn a_missing_root_certificate_file_is_named() {
        let url = "postgres://h/db?sslmode=verify-full&sslrootcert=/nonexistent/root.crt";

        let error = ConnectSettings::parse(url).unwrap_err().to_string();

        assert!(error.contains("/nonexistent/root.crt"), "{error}");
    }

    #[test]
    fn the_debug_form_shows_no_password() {
        let settings = ConnectSettings::parse("postgres://u:hunter2@h/db").unwrap();

        assert!(!format!("{settings:?}").contains("hunter2"));
    }

    #[test]
    fn loopback_and_socket_hosts_are_local_and_others_are_not() {
        let local = |url: &str| ConnectSettings::parse(url).unwrap().is_local();

        assert!(local("postgres://u@127.0.0.1/db"));
        assert!(local("postgres://u@localhost:5433/db"));
        assert!(local("postgres://u@[::1]/db"));
        assert!(local("postgres://u@%2Fvar%2Frun%2Fpostgresql/db"));
        assert!(!local(
            "postgres://u@ep-x-pooler.us-east-2.aws.neon.tech/db"
        ));
        assert!(!local("postgres://u@10.0.0.5/db"));
    }

    #[test]
    fn other_schemes_are_refused() {
        assert!(ConnectSettings::parse("mysql://h/db").is_err());
        assert!(ConnectSettings::parse("not a url").is_err());
    }
}
