//! `dev` builds the browser client on its first run, so the one README command ends with a
//! journal in the browser. The build happens only when `web.dir` has no `index.html` yet and
//! its parent folder is the client's source (it holds `package.json`); it runs `npm ci` when
//! the packages are missing, then `npm run build`, with npm's output shown. Any failure leaves
//! the API running without the client and says how to build it by hand.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What became of the client build.
#[derive(Debug, PartialEq, Eq)]
pub enum ClientBuild {
    /// `index.html` was already there, or the folder is not a build of `web/`: nothing done.
    NotNeeded,
    /// The build ran and produced `index.html`.
    Built,
    /// The build was needed but could not run or failed; the reason is for the person.
    Failed(String),
}

/// Builds the client into `dir` when it is missing and its sources sit beside it.
pub fn build_if_missing(dir: &str) -> ClientBuild {
    let dir = Path::new(dir.trim());
    if dir.as_os_str().is_empty() || dir.join("index.html").is_file() {
        return ClientBuild::NotNeeded;
    }
    let Some(sources) = source_folder(dir) else {
        return ClientBuild::NotNeeded;
    };

    println!(
        "The web client is not built yet: building it in {} (first run only; needs Node 20+ \
         and npm)…",
        sources.display()
    );
    tracing::info!(web.sources = %sources.display(), "building the web client");
    if !sources.join("node_modules").is_dir()
        && let Err(reason) = npm(&sources, &["ci", "--no-audit", "--no-fund"])
    {
        return failed(reason);
    }
    if let Err(reason) = npm(&sources, &["run", "build"]) {
        return failed(reason);
    }

    if dir.join("index.html").is_file() {
        tracing::info!(web.dir = %dir.display(), "web client built");
        ClientBuild::Built
    } else {
        failed(format!("the build left no index.html in {}", dir.display()))
    }
}

/// The folder holding the client's `package.json`: `dir`'s parent, when it has one.
fn source_folder(dir: &Path) -> Option<PathBuf> {
    let parent = dir
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())?;
    let expected_output = dir.file_name()? == "dist";
    (expected_output && parent.join("package.json").is_file()).then(|| parent.to_path_buf())
}

fn npm(folder: &Path, arguments: &[&str]) -> Result<(), String> {
    let described = format!("npm {}", arguments.join(" "));
    let status = Command::new("npm")
        .args(arguments)
        .current_dir(folder)
        .status()
        .map_err(|error| format!("cannot run `{described}` ({error}); is npm installed?"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{described}` in {} failed ({status})",
            folder.display()
        ))
    }
}

fn failed(reason: String) -> ClientBuild {
    tracing::warn!(reason = %reason, "web client build failed");
    ClientBuild::Failed(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_dist_folder_beside_a_package_json_is_built() {
        let root = std::env::temp_dir().join(format!("journal-web-build-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("package.json"), "{}").unwrap();

        assert_eq!(source_folder(&root.join("dist")), Some(root.clone()));
        assert_eq!(source_folder(&root.join("build")), None);
        assert_eq!(source_folder(Path::new("dist")), None);
        assert_eq!(source_folder(&root.join("elsewhere/dist")), None);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_existing_build_or_an_empty_setting_needs_nothing() {
        assert_eq!(build_if_missing(""), ClientBuild::NotNeeded);
        let dist = std::env::temp_dir().join(format!("journal-web-dist-{}", std::process::id()));
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), "<!doctype html>").unwrap();

        assert_eq!(
            build_if_missing(&dist.display().to_string()),
            ClientBuild::NotNeeded
        );
        std::fs::remove_dir_all(&dist).unwrap();
    }
}
