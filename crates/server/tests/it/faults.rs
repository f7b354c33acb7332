//! Database faults under load. A steady mix of reads and writes runs against the real binary
//! (`dev`, on a private PostgreSQL cluster the test controls) while Postgres restarts, sessions
//! are killed, the pool is far smaller than the client count, or clients hang up mid-request.
//! Afterwards every write is accounted for by listing every entry through the API: each `201`
//! is stored exactly once, each plain `503` is not stored, each `write_outcome_unknown` at most
//! once, and no content appears twice. Each test prints its figures.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{Running, client, dev_token, free_port, start_journal};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_restart_fails_requests_fast_and_everything_recovers_without_a_restart() {
    let system = System::start("restart", &[]).await;
    let load = Load::start(&system, 8, Duration::from_secs(8), None);

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let outage_began = Instant::now();
    system.restart_postgres(Duration::from_secs(2)).await;
    let outage_ended = Instant::now();
    let records = load.finish().await;

    let figures = system.account(&records).await;
    let recovered = recovery(&records, outage_ended);
    println!(
        "restart: outage {:.2} s, {figures}, recovered {:.2} s after postgres was back",
        (outage_ended - outage_began).as_secs_f64(),
        recovered.as_secs_f64(),
    );
    assert!(
        recovered < Duration::from_secs(5),
        "recovered after {recovered:?}"
    );
    let settled = outage_ended + recovered;
    let late_failures = records
        .iter()
        .filter(|record| record.sent > settled && !record.succeeded())
        .count();
    assert_eq!(late_failures, 0, "every request after recovery succeeds");
    for record in records.iter().filter(|record| !record.succeeded()) {
        assert_eq!(record.status, Some(503), "{record:?}");
        assert!(
            record.took < Duration::from_secs(3),
            "failed fast: {record:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_killed_by_the_database_cost_no_read_and_lose_no_write() {
    let system = System::start("terminate", &[]).await;
    let load = Load::start(&system, 8, Duration::from_secs(6), None);

    let mut killed = 0;
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        killed += system.terminate_sessions();
    }
    let records = load.finish().await;

    let figures = system.account(&records).await;
    println!("terminate: {killed} sessions killed, {figures}");
    assert!(killed > 0, "sessions were killed");
    let failed_reads: Vec<_> = records
        .iter()
        .filter(|record| record.content.is_none() && !record.succeeded())
        .collect();
    assert!(failed_reads.is_empty(), "reads failed: {failed_reads:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pool_far_smaller_than_the_client_count_serves_everyone() {
    // Waiting is the point here, not the timeout: a generous one keeps a loaded CI machine
    // from turning a long queue into a 503.
    let pool = [
        ("JOURNAL__DATABASE__MAX_CONNECTIONS", "2".to_owned()),
        ("JOURNAL__DATABASE__CHECKOUT_TIMEOUT_MS", "15000".to_owned()),
    ];
    let system = System::start("small-pool", &pool).await;

    let records = Load::start(&system, 48, Duration::from_secs(4), None)
        .finish()
        .await;

    let figures = system.account(&records).await;
    println!("small pool (2 connections, 48 clients): {figures}");
    let failed: Vec<_> = records
        .iter()
        .filter(|record| !record.succeeded())
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_exhausted_pool_answers_503_with_retry_after_instead_of_hanging() {
    let pool = [
        ("JOURNAL__DATABASE__MAX_CONNECTIONS", "1".to_owned()),
        ("JOURNAL__DATABASE__CHECKOUT_TIMEOUT_MS", "300".to_owned()),
    ];
    let system = System::start("exhausted", &pool).await;
    let token = system.tokens[0].clone();

    // An outside session holds a lock that makes the pool's one connection wait.
    let mut holder = system.psql_session(
        "BEGIN; LOCK TABLE journal_entries IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT;",
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let blocked = tokio::spawn({
        let api = system.api.clone();
        let token = token.clone();
        async move { client().get(&api).bearer_auth(&token).send().await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;

    let asked = Instant::now();
    let refused = client()
        .get(&system.api)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let took = asked.elapsed();
    let retry_after = refused.headers().get("retry-after").cloned();
    let media_type = refused.headers().get("content-type").cloned();
    let status = refused.status();

    println!("exhausted pool: 503 after {:.3} s", took.as_secs_f64());
    assert_eq!(status, 503);
    assert!(took < Duration::from_secs(2), "answered in {took:?}");
    assert!(retry_after.is_some());
    assert_eq!(media_type.unwrap(), "application/problem+json");
    let waited = blocked.await.unwrap().unwrap();
    assert_eq!(
        waited.status(),
        200,
        "the waiting read completes once the lock goes"
    );
    assert!(holder.wait().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clients_hanging_up_mid_request_leave_no_open_transaction_and_lose_no_later_write() {
    let system = System::start("hangup", &[]).await;

    let impatient = Load::start(&system, 16, Duration::from_secs(4), Some(1..12));
    let mut records = impatient.finish().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let open_transactions = system.psql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'journal_dev' \
         AND state LIKE 'idle in transaction%'",
    );
    let patient = Load::start(&system, 8, Duration::from_secs(3), None)
        .finish()
        .await;

    let hung_up = records
        .iter()
        .filter(|record| record.status.is_none())
        .count();
    let patient_failures = patient.iter().filter(|record| !record.succeeded()).count();
    records.extend(patient);
    let figures = system.account(&records).await;
    println!("hang-ups: {hung_up} requests abandoned mid-flight, then {figures}");
    assert!(hung_up > 0, "some requests were abandoned");
    assert_eq!(
        open_transactions.trim(),
        "0",
        "no session idles in a transaction"
    );
    assert_eq!(
        patient_failures, 0,
        "requests after the hang-ups all succeed"
    );
}

/// `journal-server dev` on a private cluster in a temporary folder, with tokens for four users.
struct System {
    dev: Running,
    folder: PathBuf,
    api: String,
    tokens: Vec<String>,
}

impl System {
    async fn start(name: &str, environment: &[(&str, String)]) -> Self {
        let folder = std::env::temp_dir().join(format!(
            "journal-faults-{name}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let (port, auth_port) = (free_port(), free_port());
        let mut settings = vec![
            ("PORT", port.to_string()),
            ("JOURNAL__DEV__AUTH_PORT", auth_port.to_string()),
            (
                "JOURNAL__DEV__DATA_DIR",
                folder.join("pg").display().to_string(),
            ),
            ("JOURNAL__RATE_LIMIT__REQUESTS_PER_SECOND", "0".to_owned()),
            ("JOURNAL__DATABASE__CHECKOUT_TIMEOUT_MS", "2000".to_owned()),
        ];
        settings.extend(environment.iter().cloned());
        let mut dev = start_journal(&["dev"], &settings, port);
        dev.printed_token();

        let mut tokens = Vec::new();
        for user in 0..4 {
            let email = format!("{name}-{user}@example.com");
            tokens.push(dev_token(auth_port, &email).await);
        }

        Self {
            dev,
            folder,
            api: format!("http://127.0.0.1:{port}/api/entries"),
            tokens,
        }
    }

    fn data(&self) -> PathBuf {
        self.folder.join("pg")
    }

    /// The cluster's port, from the fourth line of its `postmaster.pid`.
    fn port(&self) -> String {
        let pid_file = std::fs::read_to_string(self.data().join("postmaster.pid")).unwrap();
        pid_file.lines().nth(3).unwrap().trim().to_owned()
    }

    /// Stops the cluster (`pg_ctl stop -m fast`, as its owner), keeps it down for `down`, and
    /// starts it again on the same port; returns once it accepts connections.
    async fn restart_postgres(&self, down: Duration) {
        let data = self.data();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {}",
            self.port(),
            data.display()
        );
        let pg_ctl = move |arguments: &[&str]| {
            let status = as_cluster_owner(&pg_binary("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(data.join("server.log"))
                .args(arguments)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "pg_ctl {arguments:?}");
        };

        let stop = pg_ctl.clone();
        tokio::task::spawn_blocking(move || stop(&["-m", "fast", "-w", "-t", "30", "stop"]))
            .await
            .unwrap();
        tokio::time::sleep(down).await;
        tokio::task::spawn_blocking(move || pg_ctl(&["-o", &options, "-w", "-t", "30", "start"]))
            .await
            .unwrap();
    }

    /// Ends every session of the journal's database; returns how many it ended.
    fn terminate_sessions(&self) -> usize {
        let ended = self.psql(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = 'journal_dev' AND pid <> pg_backend_pid()",
        );
        ended.trim().parse().unwrap()
    }

    fn psql(&self, sql: &str) -> String {
        let output = self.psql_command(sql).output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn psql_session(&self, sql: &str) -> std::process::Child {
        self.psql_command(sql)
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    }

    fn psql_command(&self, sql: &str) -> Command {
        let mut command = Command::new("psql");
        command
            .args(["-h", "127.0.0.1", "-p", &self.port(), "-U", "postgres"])
            .args(["-d", "journal_dev", "-v", "ON_ERROR_STOP=1", "-Atc", sql]);
        command
    }

    /// Lists every user's entries through the API and checks each write's outcome against
    /// them; returns the figures.
    async fn account(&self, records: &[Record]) -> Figures {
        let mut stored: HashMap<String, usize> = HashMap::new();
        for token in &self.tokens {
            for content in all_entries(&self.api, token).await {
                *stored.entry(content).or_default() += 1;
            }
        }

        let mut figures = Figures {
            sent: records.len(),
            ..Figures::default()
        };
        for record in records {
            match (&record.content, record.status) {
                (None, Some(status)) if (200..300).contains(&status) => figures.ok += 1,
                (None, _) => figures.failed += 1,
                (Some(content), Some(201)) => {
                    figures.ok += 1;
                    figures.expected += 1;
                    assert_eq!(stored.get(content), Some(&1), "a 201 is stored once");
                }
                (Some(content), outcome) if record.may_be_written() => {
                    figures.failed += 1;
                    figures.uncertain += 1;
                    let copies = stored.get(content).copied().unwrap_or(0);
                    assert!(copies <= 1, "{content} stored {copies} times ({outcome:?})");
                }
                (Some(content), _) => {
                    figures.failed += 1;
                    assert_eq!(stored.get(content), None, "a refused write is not stored");
                }
            }
        }
        figures.found = stored.values().sum();
        assert!(
            stored.values().all(|copies| *copies == 1),
            "no entry is duplicated"
        );
        assert!(
            (figures.expected..=figures.expected + figures.uncertain).contains(&figures.found),
            "{figures}"
        );
        figures
    }
}

impl Drop for System {
    fn drop(&mut self) {
        // `dev` stops its cluster as it exits; only then can the folder go.
        let _ = self.dev.terminate(Duration::from_secs(30));
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// One request of the load and how it ended.
#[derive(Debug)]
struct Record {
    sent: Instant,
    took: Duration,
    /// The content of a write; `None` for a read.
    content: Option<String>,
    /// `None` when no answer came (the client gave up or the connection broke).
    status: Option<u16>,
    code: Option<String>,
}

impl Record {
    fn succeeded(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }

    /// A write whose answer does not rule out that it was stored.
    fn may_be_written(&self) -> bool {
        self.status.is_none() || self.code.as_deref() == Some("write_outcome_unknown")
    }
}

#[derive(Default)]
struct Figures {
    sent: usize,
    ok: usize,
    failed: usize,
    uncertain: usize,
    expected: usize,
    found: usize,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests sent, {} succeeded, {} failed ({} writes of unknown outcome); rows \
             expected {}..={}, found {}",
            self.sent,
            self.ok,
            self.failed,
            self.uncertain,
            self.expected,
            self.expected + self.uncertain,
            self.found
        )
    }
}

/// Workers alternating a list read and a create (with an Idempotency-Key), each as one of the
/// system's users, until the duration is over.
struct Load {
    workers: Vec<tokio::task::JoinHandle<Vec<Record>>>,
}

impl Load {
    /// `hang_up_ms`: give up on each request after a random number of milliseconds in this
    /// range, dropping its connection.
    fn start(
        system: &System,
        workers: usize,
        duration: Duration,
        hang_up_ms: Option<std::ops::Range<u64>>,
    ) -> Self {
        let deadline = Instant::now() + duration;
        let api = Arc::new(system.api.clone());
        let workers = (0..workers)
            .map(|worker| {
                let api = Arc::clone(&api);
                let token = system.tokens[worker % system.tokens.len()].clone();
                let hang_up_ms = hang_up_ms.clone();
                tokio::spawn(async move { work(&api, &token, worker, deadline, hang_up_ms).await })
            })
            .collect();
        Self { workers }
    }

    async fn finish(self) -> Vec<Record> {
        let mut records = Vec::new();
        for worker in self.workers {
            records.extend(worker.await.unwrap());
        }
        records
    }
}

async fn work(
    api: &str,
    token: &str,
    worker: usize,
    deadline: Instant,
    hang_up_ms: Option<std::ops::Range<u64>>,
) -> Vec<Record> {
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut records = Vec::new();
    let mut turn = 0_u64;
    while Instant::now() < deadline {
        turn += 1;
        let timeout = match &hang_up_ms {
            Some(range) => Duration::from_millis(range.start + turn % (range.end - range.start)),
            None => Duration::from_secs(10),
        };
        let client = reqwest::Client::builder().timeout(timeout).build().unwrap();
        let content = turn
            .is_multiple_of(2)
            .then(|| format!("w{worker}-{turn}-{run}"));
        let request = match &content {
            Some(content) => client
                .post(api)
                .header("Idempotency-Key", content)
                .json(&json!({ "content": content })),
            None => client.get(api),
        };

        let sent = Instant::now();
        let answer = request.bearer_auth(token).send().await;
        let (status, code) = match answer {
            Ok(response) => {
                let status = response.status().as_u16();
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                (Some(status), body["code"].as_str().map(str::to_owned))
            }
            Err(_) => (None, None),
        };
        records.push(Record {
            sent,
            took: sent.elapsed(),
            content,
            status,
            code,
        });
        if status != Some(200) && status != Some(201) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    records
}

/// How long after `since` the first request that succeeded was sent.
fn recovery(records: &[Record], since: Instant) -> Duration {
    records
        .iter()
        .filter(|record| record.sent >= since && record.succeeded())
        .map(|record| record.sent - since)
        .min()
        .expect("some request after the fault succeeded")
}

/// Every entry of the token's user, following `Link` from page to page.
async fn all_entries(api: &str, token: &str) -> Vec<String> {
    let origin = api.trim_end_matches("/api/entries");
    let mut next = Some(format!("{api}?limit=200"));
    let mut contents = Vec::new();
    while let Some(url) = next.take() {
        let response = client().get(&url).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), 200, "listing after the fault");
        next = response
            .headers()
            .get("link")
            .and_then(|link| link.to_str().ok())
            .and_then(|link| link.split_once('<')?.1.split_once('>').map(|(url, _)| url))
            .map(|path| format!("{origin}{path}"));
        let page: Vec<serde_json::Value> = response.json().await.unwrap();
        contents.extend(
            page.iter()
                .map(|entry| entry["content"].as_str().unwrap().to_owned()),
        );
    }
    contents
}

/// A PostgreSQL program, from the newest Debian install or else `PATH`.
fn pg_binary(name: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(|entry| Some(entry.ok()?.path()))
                .collect()
        })
        .unwrap_or_default();
    versions.sort_by_key(|path| {
        path.file_name()
            .and_then(|name| name.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions
        .iter()
        .rev()
        .map(|version| version.join("bin").join(name))
        .find(|binary| binary.exists())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// `program` run as the user that owns the cluster: `postgres` when the tests run as root.
fn as_cluster_owner(program: &Path) -> Command {
    let uid = Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}
