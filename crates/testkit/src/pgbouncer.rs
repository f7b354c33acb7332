//! A PgBouncer of the test's own in transaction pooling mode, in front of the server that
//! `TEST_DATABASE_URL` names, on a free loopback port: Debian's `pgbouncer`, which (at 1.18)
//! hands each transaction to whichever server connection is free and keeps no prepared
//! statements across them. Stopped when the value drops.

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PGBOUNCER: &str = "/usr/sbin/pgbouncer";

/// A running PgBouncer.
pub struct PgBouncer {
    child: Child,
    folder: PathBuf,
    port: u16,
}

impl PgBouncer {
    /// Starts one with at most `server_connections` connections to Postgres per database,
    /// and waits until it accepts connections.
    pub fn start(server_connections: u32) -> Self {
        assert!(
            std::path::Path::new(PGBOUNCER).exists(),
            "the pooler tests need Debian's pgbouncer at {PGBOUNCER} (`apt-get install \
             pgbouncer`; .ci/run installs it)"
        );
        let upstream = url::Url::parse(&crate::database::admin_url()).expect("a URL");
        let host = upstream.host_str().unwrap_or("127.0.0.1").to_owned();
        let upstream_port = upstream.port().unwrap_or(5432);
        let user = match upstream.username() {
            "" => "postgres".to_owned(),
            name => name.to_owned(),
        };
        let port = free_port();

        let folder = std::env::temp_dir().join(format!("journal-pgbouncer-{port}"));
        std::fs::create_dir_all(&folder).expect("a folder for pgbouncer");
        let config = format!(
            "[databases]\n\
             * = host={host} port={upstream_port}\n\
             [pgbouncer]\n\
             listen_addr = 127.0.0.1\n\
             listen_port = {port}\n\
             unix_socket_dir =\n\
             auth_type = trust\n\
             auth_file = {auth_file}\n\
             pool_mode = transaction\n\
             default_pool_size = {server_connections}\n\
             max_client_conn = 1000\n\
             ignore_startup_parameters = extra_float_digits\n",
            auth_file = folder.join("users.txt").display(),
        );
        std::fs::write(folder.join("pgbouncer.ini"), config).expect("pgbouncer.ini");
        std::fs::write(folder.join("users.txt"), format!("\"{user}\" \"\"\n")).expect("users");

        // PgBouncer refuses to run as root; as root it switches to the postgres user.
        let mut command = Command::new(PGBOUNCER);
        if running_as_root() {
            command.args(["-u", "postgres"]);
        }
        let log = std::fs::File::create(folder.join("pgbouncer.log")).expect("a log file");
        let child = command
            .arg(folder.join("pgbouncer.ini"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log file"))
            .stderr(log)
            .spawn()
            .expect("pgbouncer starts");
        let bouncer = Self {
            child,
            folder,
            port,
        };

        bouncer.wait_until_listening();
        bouncer
    }

    /// The URL of `database` through this pooler (plain TCP, as the local server's trust rule).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{database}?sslmode=disable",
            self.port
        )
    }

    /// Everything PgBouncer logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.folder.join("pgbouncer.log")).unwrap_or_default()
    }

    fn wait_until_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "pgbouncer did not listen on {} within 10 s:\n{}",
            self.port,
            self.log_text()
        );
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|metadata| metadata.uid() == 0)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("a bound address").port()
}
