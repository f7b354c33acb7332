//! Running processes for the tests: the journal binary and the Better Auth server in
//! `testing/betterauth`, each on a free loopback port, stopped when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// An HTTP client for the tests.
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A token for `email` from the identity provider of a `dev` on `auth_port`.
pub async fn dev_token(auth_port: u16, email: &str) -> String {
    let issued: serde_json::Value = client()
        .post(format!("http://127.0.0.1:{auth_port}/token"))
        .json(&serde_json::json!({ "email": email }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    issued["token"].as_str().expect("a token").to_owned()
}

pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A child process killed (SIGTERM, then SIGKILL) when dropped.
pub struct Running {
    pub child: Child,
    pub log: PathBuf,
}

impl Running {
    /// Sends SIGTERM and waits up to `limit` for the exit status.
    pub fn terminate(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// The token `dev` prints on its `export TOKEN=` line (read from stdout).
    pub fn printed_token(&mut self) -> String {
        let stdout = self
            .child
            .stdout
            .take()
            .expect("stdout is piped and not yet read");
        // The reader keeps draining after the token, so later output never meets a closed pipe.
        let (sender, token) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(token) = line.strip_prefix("export TOKEN=") {
                    let _ = sender.send(token.to_owned());
                }
            }
        });
        token
            .recv_timeout(Duration::from_secs(120))
            .expect("dev prints a token")
    }

    /// Everything the process wrote to stderr so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.terminate(Duration::from_secs(5)).is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

fn log_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "journal-{name}-{}.log",
        uuid::Uuid::new_v4().simple()
    ))
}

/// Starts `journal-server` with `arguments` and `environment`, stderr captured to a file,
/// and waits until `port` accepts connections.
pub fn start_journal(arguments: &[&str], environment: &[(&str, String)], port: u16) -> Running {
    let log = log_file("server");
    let mut command = Command::new(env!("CARGO_BIN_EXE_journal-server"));
    command
        .args(arguments)
        .current_dir(std::env::temp_dir())
        .env_remove("DATABASE_URL")
        .env_remove("NEON_AUTH_URL")
        .env_remove("RUST_LOG")
        .env("JOURNAL__LOG__FORMAT", "json")
        .env(
            "JOURNAL__LOG__FILTER",
            "debug,h2=info,hyper=info,rustls=info,tokio_postgres=info",
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap());
    for (name, value) in environment {
        command.env(name, value);
    }
    let child = command.spawn().expect("the journal-server binary starts");
    let running = Running { child, log };

    wait_for_port(port, &running);
    running
}

fn wait_for_port(port: u16, running: &Running) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "nothing listened on port {port} within 30 s; log:\n{}",
        running.log_text()
    );
}

/// The Better Auth server in `testing/betterauth`.
pub struct BetterAuth {
    _process: Running,
    pub base_url: String,
}

impl BetterAuth {
    /// Starts it on `database_url`, installing its npm packages first when they are missing.
    pub fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[])
    }

    /// As [`BetterAuth::start`], with more environment (e.g. `TRUSTED_ORIGINS`).
    pub fn start_with(database_url: &str, environment: &[(&str, String)]) -> Self {
        let folder = repository_root().join("testing/betterauth");
        install_packages(&folder);

        let port = free_port();
        let log = log_file("betterauth");
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(&folder)
            .env("DATABASE_URL", database_url)
            .env("PORT", port.to_string())
            .env("JOURNAL_TEST_ROUTES", "1")
            .envs(environment.iter().map(|(name, value)| (name, value)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("node starts");

        let stdout = child.stdout.take().unwrap();
        let ready = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .find(|l| l.starts_with("READY "))
        });
        let process = Running { child, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !ready.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let line = ready.is_finished().then(|| ready.join().unwrap()).flatten();
        let Some(line) = line else {
            panic!(
                "Better Auth did not become ready; log:\n{}",
                process.log_text()
            );
        };

        let base_url = line.trim_start_matches("READY ").trim().to_owned();
        Self {
            _process: process,
            base_url,
        }
    }

    /// The value a journal server takes as `NEON_AUTH_URL` for this issuer.
    pub fn auth_url(&self) -> String {
        format!("{}/api/auth", self.base_url)
    }

    /// Signs a new user up over Better Auth's HTTP API and returns (user id, JWT).
    pub async fn sign_up(&self, email: &str) -> (String, String) {
        let client = client();
        let signed_up = client
            .post(format!("{}/sign-up/email", self.auth_url()))
            .json(&serde_json::json!({
                "name": email.split('@').next().unwrap(),
                "email": email,
                "password": "correct-horse-battery-staple",
            }))
            .send()
            .await
            .unwrap();
        assert!(
            signed_up.status().is_success(),
            "sign-up: {}",
            signed_up.status()
        );

        let cookie = signed_up
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok()?.split(';').next().map(str::to_owned))
            .collect::<Vec<_>>()
            .join("; ");
        let user: serde_json::Value = signed_up.json().await.unwrap();

        let token: serde_json::Value = client
            .get(format!("{}/token", self.auth_url()))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();

        let id = user["user"]["id"].as_str().unwrap().to_owned();
        (id, token["token"].as_str().unwrap().to_owned())
    }

    /// A token with exactly `payload`, signed by Better Auth's own key.
    pub async fn sign(&self, payload: serde_json::Value) -> String {
        let answer: serde_json::Value = client()
            .post(format!("{}/test/sign-jwt", self.base_url))
            .json(&serde_json::json!({ "payload": payload }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["token"].as_str().unwrap().to_owned()
    }
}

/// Installs the npm packages of `folder` once, even with test processes racing (nextest runs
/// each test in a process of its own): the first takes a file lock, runs `npm ci` and leaves a
/// mark in `node_modules` when it has finished; the others wait for the lock and find the mark.
/// The mark, not a package folder, is what counts: a package folder appears while `npm ci` is
/// still writing the rest of the tree.
pub fn install_packages(folder: &Path) {
    let finished = folder.join("node_modules").join(".journal-npm-ci-finished");
    if finished.exists() {
        return;
    }

    let name = folder.file_name().unwrap().to_string_lossy();
    let lock = std::fs::File::create(std::env::temp_dir().join(format!("journal-{name}-npm.lock")))
        .expect("a lock file");
    lock.lock().expect("the npm install lock");
    if finished.exists() {
        return;
    }

    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(folder)
        .status()
        .expect("npm runs");
    assert!(status.success(), "npm ci in {} failed", folder.display());
    std::fs::write(&finished, "").expect("the install mark is written");
}
