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

fn admin_url() -> String {
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
