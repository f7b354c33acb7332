//! A fresh database for one test, created on the server named by `TEST_DATABASE_URL`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`) and dropped when the value drops.

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database that exists for as long as this value does.
pub struct TestDatabase {
    name: String,
    admin_url: String,
    url: String,
}

impl TestDatabase {
    /// Creates an empty database with a unique name.
    pub async fn create() -> Self {
        let admin_url = admin_url();
        let name = format!("journal_test_{}", uuid::Uuid::new_v4().simple());

        let client = connect(&admin_url).await;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("the test database can be created");

        let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        Self {
            name,
            admin_url,
            url: url.to_string(),
        }
    }

    /// The database's connection URL, with the admin URL's query (e.g. `sslmode`) kept.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL with `query` (e.g. `sslmode=require`) in place of the admin URL's query.
    pub fn url_with_query(&self, query: &str) -> String {
        let mut url = url::Url::parse(&self.url).expect("a URL");
        url.set_query(Some(query));
        url.to_string()
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// This database's URL for a role that must log in with a password over SCRAM-SHA-256
    /// (see [`ensure_scram_role`]), with `query` (e.g. `sslmode=require&channel_binding=require`).
    pub async fn scram_url(&self, query: &str) -> String {
        ensure_scram_role(&self.admin_url).await;
        let name = &self.name;
        self.execute(&format!(
            "GRANT ALL ON DATABASE {name} TO {SCRAM_ROLE}; \
             GRANT ALL ON SCHEMA public TO {SCRAM_ROLE}"
        ))
        .await;
        let mut url = url::Url::parse(&self.url_with_query(query)).expect("a URL");
        url.set_username(SCRAM_ROLE).expect("a URL with a host");
        url.set_password(Some(SCRAM_PASSWORD))
            .expect("a URL with a host");
        url.to_string()
    }

    /// Runs `sql` in this database over a plain connection, for arranging and checking state.
    pub async fn execute(&self, sql: &str) {
        connect(&self.url)
            .await
            .batch_execute(sql)
            .await
            .expect("test SQL runs");
    }

    /// The first column of the first row `sql` returns, as i64.
    pub async fn query_i64(&self, sql: &str) -> i64 {
        let row = connect(&self.url)
            .await
            .query_one(sql, &[])
            .await
            .expect("test SQL runs");
        row.get(0)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();

        // Drop may run inside an async runtime, where blocking on another is not allowed.
        let dropper = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for dropping the test database");
            runtime.block_on(async move {
                let client = connect(&admin_url).await;
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                if let Err(error) = client.batch_execute(&sql).await {
                    eprintln!("could not drop test database {name}: {error}");
                }
            });
        });
        let _ = dropper.join();
    }
}

pub(crate) fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let mut plain = url::Url::parse(url).expect("a database URL");
    plain.set_query(None);
    let (client, connection) = tokio_postgres::connect(plain.as_str(), tokio_postgres::NoTls)
        .await
        .expect("the test Postgres server accepts connections");
    tokio::spawn(connection);
    client
}

/// The role [`TestDatabase::scram_url`] logs in as, and its (test-only) password.
pub const SCRAM_ROLE: &str = "journal_scram";
const SCRAM_PASSWORD: &str = "journal-scram-test-password";

/// The `pg_hba.conf` lines that make [`SCRAM_ROLE`] authenticate with SCRAM-SHA-256 from
/// loopback, over TLS (where the server offers SCRAM-SHA-256-PLUS, i.e. channel binding) and
/// without it (plain SCRAM, which cannot bind).
const HBA_RULES: &str = "# journal tests: SCRAM for the journal_scram role\n\
    hostssl all journal_scram 127.0.0.1/32 scram-sha-256\n\
    hostnossl all journal_scram 127.0.0.1/32 scram-sha-256\n";

/// Makes sure the server has [`SCRAM_ROLE`] with its password and `pg_hba.conf` rules that ask
/// it for SCRAM: the role is created if missing, and when the rules are missing they are put at
/// the top of the file the server names (`SHOW hba_file`) and the configuration is reloaded.
/// Needs a superuser admin URL and write access to that file (CI runs as root).
pub async fn ensure_scram_role(admin_url: &str) {
    let client = connect(admin_url).await;
    let created = client
        .batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE {SCRAM_ROLE} LOGIN PASSWORD '{SCRAM_PASSWORD}'; \
             EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        ))
        .await;
    if let Err(error) = created {
        // Two tests creating the role at once: one wins, the other sees a unique violation.
        assert!(
            error.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION),
            "cannot create the role {SCRAM_ROLE}: {error}"
        );
    }

    let hba_file: String = client
        .query_one("SHOW hba_file", &[])
        .await
        .expect("SHOW hba_file")
        .get(0);
    let rules = std::fs::read_to_string(&hba_file).unwrap_or_else(|error| {
        panic!("the SCRAM tests read {hba_file} to add their rules ({error}); run them as root")
    });
    if rules.contains(HBA_RULES) {
        return;
    }

    let lock_path = std::env::temp_dir().join("journal-hba.lock");
    let lock = std::fs::File::create(lock_path).expect("a lock file");
    lock.lock().expect("the pg_hba lock");
    let rules = std::fs::read_to_string(&hba_file).expect("pg_hba.conf readable");
    if !rules.contains(HBA_RULES) {
        std::fs::write(&hba_file, format!("{HBA_RULES}{rules}")).unwrap_or_else(|error| {
            panic!("cannot add the SCRAM test rules to {hba_file} ({error}); run as root")
        });
        client
            .batch_execute("SELECT pg_reload_conf()")
            .await
            .expect("reload");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}
