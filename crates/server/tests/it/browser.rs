//! The browser client (`web/`) end to end: its Vitest unit tests, then Debian's Chromium,
//! driven by playwright-core scripts in `web/e2e/`, against the built server binary serving a
//! fresh build of the client, with the real Postgres: `dev` sign-in with two users, Neon-mode
//! sign-up and sign-in through a real Better Auth server, and hostile entry text. Each script
//! saves screenshots in `target/browser-screenshots/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use journal_testkit::TestDatabase;

use crate::harness::{
    BetterAuth, Running, free_port, install_packages, repository_root, start_journal,
};

const CHROMIUM: &str = "/usr/bin/chromium";

#[test]
fn the_api_client_unit_tests_pass() {
    let web = web_folder();
    run_to_completion(
        Command::new("npm")
            .args(["test", "--silent"])
            .current_dir(&web),
        Duration::from_secs(180),
    );
}

#[tokio::test]
async fn two_users_write_edit_and_delete_in_dev_mode_and_see_only_their_own() {
    let database = TestDatabase::create().await;
    let (build, server, url) = dev_server(&database);

    run_script("dev-mode", &url);
    drop((server, build));
}

#[tokio::test]
async fn entry_text_that_looks_like_html_is_shown_as_text_and_runs_nothing() {
    let database = TestDatabase::create().await;
    let (build, server, url) = dev_server(&database);

    run_script("xss", &url);
    drop((server, build));
}

#[tokio::test]
async fn a_user_signs_up_and_in_with_better_auth_and_writes_in_neon_mode() {
    let database = TestDatabase::create().await;
    let build = ClientBuild::new();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let identity = BetterAuth::start_with(database.url(), &[("TRUSTED_ORIGINS", url.clone())]);
    let server = start_journal(
        &["serve"],
        &[
            ("DATABASE_URL", database.url().to_owned()),
            ("NEON_AUTH_URL", identity.auth_url()),
            ("PORT", port.to_string()),
            ("JOURNAL__SERVER__HOST", "127.0.0.1".to_owned()),
            ("JOURNAL__WEB__DIR", build.folder.display().to_string()),
        ],
        port,
    );

    run_script("neon-mode", &url);
    drop((server, identity, build));
}

/// `journal-server dev` on the test's database, serving a fresh client build.
fn dev_server(database: &TestDatabase) -> (ClientBuild, Running, String) {
    let build = ClientBuild::new();
    let (port, auth_port) = (free_port(), free_port());
    let server = start_journal(
        &["dev"],
        &[
            ("DATABASE_URL", database.url().to_owned()),
            ("PORT", port.to_string()),
            ("JOURNAL__DEV__AUTH_PORT", auth_port.to_string()),
            ("JOURNAL__WEB__DIR", build.folder.display().to_string()),
        ],
        port,
    );
    (build, server, format!("http://127.0.0.1:{port}"))
}

/// `web/` with its npm packages installed.
fn web_folder() -> PathBuf {
    let web = repository_root().join("web");
    install_packages(&web);
    web
}

/// A production build of the client (`vite build`) in a folder of its own, removed on drop.
struct ClientBuild {
    folder: PathBuf,
}

impl ClientBuild {
    fn new() -> Self {
        let web = web_folder();
        let folder = std::env::temp_dir().join(format!(
            "journal-web-build-{}",
            uuid::Uuid::new_v4().simple()
        ));

        // Builds share web/'s caches (TypeScript's build info, Vite's), so one at a time.
        let lock = std::fs::File::create(std::env::temp_dir().join("journal-web-build.lock"))
            .expect("a lock file");
        lock.lock().expect("the web build lock");
        run_to_completion(
            Command::new("npm")
                .args(["run", "build", "--silent", "--", "--outDir"])
                .arg(&folder)
                .arg("--emptyOutDir")
                .current_dir(&web),
            Duration::from_secs(300),
        );
        assert!(
            folder.join("index.html").is_file(),
            "the build has an index.html"
        );
        Self { folder }
    }
}

impl Drop for ClientBuild {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// Runs `web/e2e/<name>.mjs` against the server at `url`; it drives Chromium and exits 0 when
/// everything it checks holds.
fn run_script(name: &str, url: &str) {
    assert!(
        Path::new(CHROMIUM).exists(),
        "the browser tests need Debian's chromium at {CHROMIUM} (`apt-get install chromium`; \
         .ci/run installs it)"
    );
    let web = web_folder();
    let screenshots = repository_root().join("target/browser-screenshots");
    std::fs::create_dir_all(&screenshots).unwrap();

    run_to_completion(
        Command::new("node")
            .arg(format!("e2e/{name}.mjs"))
            .current_dir(&web)
            .env("JOURNAL_URL", url)
            .env("SCREENSHOT_DIR", &screenshots)
            .env("CHROMIUM", CHROMIUM),
        Duration::from_secs(150),
    );
}

/// Runs `command` with its output in a log file, failing the test (with that output) when it
/// exits unsuccessfully or outlives `limit`.
fn run_to_completion(command: &mut Command, limit: Duration) {
    let log = std::env::temp_dir().join(format!("journal-web-{}.log", uuid::Uuid::new_v4()));
    let output = std::fs::File::create(&log).unwrap();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(output.try_clone().unwrap())
        .stderr(output)
        .spawn()
        .expect("the command starts");
    let described = format!("{command:?}");

    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };

    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    match status {
        Some(status) if status.success() => println!("{text}"),
        Some(status) => panic!("{described} failed ({status}):\n{text}"),
        None => panic!("{described} took longer than {limit:?}:\n{text}"),
    }
}
