//! A private PostgreSQL cluster for `journal-server dev` when no database is configured: found
//! among the usual install locations, created once in a data folder, started on a free
//! loopback port (and a Unix socket inside the folder), stopped when `dev` stops. Postgres
//! refuses to run as root, so under root the cluster runs as the `postgres` system user.

use std::fs::File;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::startup::StartupError;

/// Programs the cluster needs.
const REQUIRED_PROGRAMS: [&str; 2] = ["initdb", "pg_ctl"];

/// Seconds `pg_ctl` waits for the server to start or stop.
const PG_CTL_WAIT_SECONDS: &str = "60";

/// A running private cluster; stopped by [`PrivateCluster::stop`] or, failing that, on drop.
pub struct PrivateCluster {
    binaries: PathBuf,
    data: PathBuf,
    port: u16,
    owner: Option<Owner>,
    _lock: File,
    running: bool,
}

/// The unprivileged user the cluster runs as when `dev` runs as root.
#[derive(Clone, Copy)]
struct Owner {
    uid: u32,
    gid: u32,
}

impl PrivateCluster {
    /// Finds the binaries, creates the cluster in `data` (or the default folder) if needed,
    /// and starts it.
    pub fn start(data: Option<PathBuf>) -> Result<Self, StartupError> {
        let binaries = find_binaries()?;
        let owner = unprivileged_owner()?;
        let data = match data {
            Some(folder) => folder,
            None => default_data_folder(owner.is_some())?,
        };
        let data =
            std::path::absolute(&data).map_err(|error| io_error("resolve", &data, &error))?;

        let lock = lock_folder(&data)?;
        prepare_folder(&data, owner)?;
        if !data.join("PG_VERSION").exists() {
            tracing::info!(postgres.data = %data.display(), "creating a private cluster");
            run(&binaries, "initdb", owner, |command| {
                command.arg("-D").arg(&data).args([
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-instructions",
                ])
            })?;
        }

        // A cluster still running here was left by a `dev` that died: ours to stop.
        if is_running(&binaries, &data, owner) {
            tracing::warn!(postgres.data = %data.display(), "stopping a crashed dev's cluster");
            stop_cluster(&binaries, &data, owner)?;
        }

        let port = free_loopback_port()?;
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {}",
            data.display()
        );
        run(&binaries, "pg_ctl", owner, |command| {
            command
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(data.join("server.log"))
                .args(["-o", &options, "-w", "-t", PG_CTL_WAIT_SECONDS, "start"])
        })?;

        let cluster = Self {
            binaries,
            data,
            port,
            owner,
            _lock: lock,
            running: true,
        };
        tracing::info!(
            postgres.data = %cluster.data.display(),
            postgres.port = port,
            postgres.binaries = %cluster.binaries.display(),
            postgres.as_user = if owner.is_some() { "postgres" } else { "current" },
            "private PostgreSQL cluster started"
        );
        Ok(cluster)
    }

    /// The folder the cluster lives in.
    pub fn data_folder(&self) -> &Path {
        &self.data
    }

    /// A connection string for the cluster's `journal_dev` database.
    pub fn database_url(&self) -> String {
        format!(
            "postgresql://postgres@127.0.0.1:{}/journal_dev?sslmode=disable",
            self.port
        )
    }

    /// Stops the cluster, waiting for it to shut down.
    pub fn stop(mut self) -> Result<(), StartupError> {
        self.running = false;
        stop_cluster(&self.binaries, &self.data, self.owner)?;
        tracing::info!(postgres.data = %self.data.display(), "private PostgreSQL cluster stopped");
        Ok(())
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        if self.running {
            let _ = stop_cluster(&self.binaries, &self.data, self.owner);
        }
    }
}

/// The folder holding `initdb` and `pg_ctl`: on `PATH`, then the usual install locations,
/// newest version first.
fn find_binaries() -> Result<PathBuf, StartupError> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    for pattern in ["/usr/lib/postgresql", "/opt/homebrew/opt", "/usr/local/opt"] {
        candidates.extend(versioned_bins(Path::new(pattern)));
    }
    candidates.extend(
        [
            "/usr/local/pgsql/bin",
            "/opt/homebrew/bin",
            "/usr/pgsql/bin",
        ]
        .map(PathBuf::from),
    );

    candidates
        .into_iter()
        .find(|folder| {
            REQUIRED_PROGRAMS
                .iter()
                .all(|program| folder.join(program).is_file())
        })
        .ok_or_else(|| {
            StartupError::Other(
                "no DATABASE_URL is set, so dev wants to run a private PostgreSQL, but its server \
                 programs (initdb, pg_ctl) were found neither on PATH nor in \
                 /usr/lib/postgresql/<version>/bin, Homebrew's or /usr/local/pgsql/bin. Install \
                 them (Debian/Ubuntu: apt install postgresql; Fedora: dnf install \
                 postgresql-server; macOS: brew install postgresql@17) or set DATABASE_URL."
                    .into(),
            )
        })
}

/// `<root>/<version>/bin` and `<root>/postgresql@<version>/bin`, newest first.
fn versioned_bins(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut found: Vec<(u32, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version = name
                .trim_start_matches("postgresql@")
                .split('.')
                .next()?
                .parse()
                .ok()?;
            let is_postgres = root.ends_with("postgresql") || name.starts_with("postgresql");
            is_postgres.then(|| (version, entry.path().join("bin")))
        })
        .collect();
    found.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    found.into_iter().map(|(_, path)| path).collect()
}

/// `None` when not root; the `postgres` user when root; an error when root and there is none.
fn unprivileged_owner() -> Result<Option<Owner>, StartupError> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    let user = nix::unistd::User::from_name("postgres")
        .map_err(|error| StartupError::Other(format!("cannot look up the postgres user: {error}")))?
        .ok_or_else(|| {
            StartupError::Other(
                "dev runs as root, and PostgreSQL refuses to run as root, but there is no \
                 `postgres` system user to run it as. Run dev as an ordinary user, create the \
                 user (useradd --system postgres), or set DATABASE_URL."
                    .into(),
            )
        })?;
    tracing::info!("running as root: the private cluster runs as the postgres user");
    Ok(Some(Owner {
        uid: user.uid.as_raw(),
        gid: user.gid.as_raw(),
    }))
}

fn default_data_folder(as_root: bool) -> Result<PathBuf, StartupError> {
    // Root's home is closed to the postgres user, so root's cluster lives in /var/lib.
    if as_root {
        return Ok(PathBuf::from("/var/lib/journal/dev-postgres"));
    }
    dirs::data_dir()
        .map(|base| base.join("journal/dev-postgres"))
        .ok_or_else(|| {
            StartupError::Other("no data directory for this user; set dev.data_dir".into())
        })
}

/// Holds `<data>.lock` for as long as `dev` runs, so a second `dev` is told, not let in.
fn lock_folder(data: &Path) -> Result<File, StartupError> {
    let parent = data.parent().unwrap_or(Path::new("/"));
    std::fs::create_dir_all(parent).map_err(|error| io_error("create", parent, &error))?;

    let lock_path = data.with_extension("lock");
    let lock = File::create(&lock_path).map_err(|error| io_error("create", &lock_path, &error))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(StartupError::Other(format!(
            "another journal-server dev is using the PostgreSQL cluster in {}; stop it first, \
             or give this one another folder with JOURNAL__DEV__DATA_DIR",
            data.display()
        ))),
        Err(std::fs::TryLockError::Error(error)) => Err(io_error("lock", &lock_path, &error)),
    }
}

fn prepare_folder(data: &Path, owner: Option<Owner>) -> Result<(), StartupError> {
    use std::os::unix::fs::PermissionsExt;

    std::fs::create_dir_all(data).map_err(|error| io_error("create", data, &error))?;
    std::fs::set_permissions(data, std::fs::Permissions::from_mode(0o700))
        .map_err(|error| io_error("set permissions on", data, &error))?;
    if let Some(owner) = owner {
        std::os::unix::fs::chown(data, Some(owner.uid), Some(owner.gid))
            .map_err(|error| io_error("hand to the postgres user", data, &error))?;
    }
    Ok(())
}

fn is_running(binaries: &Path, data: &Path, owner: Option<Owner>) -> bool {
    command(binaries, "pg_ctl", owner)
        .arg("-D")
        .arg(data)
        .arg("status")
        .output()
        .is_ok_and(|output| output.status.success())
}

fn stop_cluster(binaries: &Path, data: &Path, owner: Option<Owner>) -> Result<(), StartupError> {
    run(binaries, "pg_ctl", owner, |command| {
        command
            .arg("-D")
            .arg(data)
            .args(["-m", "fast", "-w", "-t", PG_CTL_WAIT_SECONDS, "stop"])
    })
}

fn command(binaries: &Path, program: &str, owner: Option<Owner>) -> Command {
    let mut command = Command::new(binaries.join(program));
    command.current_dir("/").env_remove("PGDATA");
    if let Some(owner) = owner {
        command.uid(owner.uid).gid(owner.gid).env("HOME", "/tmp");
    }
    command
}

/// Runs a PostgreSQL program; a failure carries the tail of what it printed.
fn run(
    binaries: &Path,
    program: &str,
    owner: Option<Owner>,
    arguments: impl FnOnce(&mut Command) -> &mut Command,
) -> Result<(), StartupError> {
    let mut command = command(binaries, program, owner);
    arguments(&mut command);
    let output: Output = command
        .output()
        .map_err(|error| StartupError::Other(format!("cannot run {program}: {error}")))?;
    if output.status.success() {
        return Ok(());
    }

    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let tail: Vec<&str> = printed.lines().rev().take(6).collect();
    Err(StartupError::Other(format!(
        "{program} failed ({}): {}",
        output.status,
        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
    )))
}

fn free_loopback_port() -> Result<u16, StartupError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|error| StartupError::Other(format!("no free loopback port: {error}")))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|error| StartupError::Other(format!("no free loopback port: {error}")))
}

fn io_error(action: &str, path: &Path, error: &io::Error) -> StartupError {
    StartupError::Other(format!("cannot {action} {}: {error}", path.display()))
}
