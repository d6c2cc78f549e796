//! Where things are (workspace root, target directory) and how commands run.

use std::env;
use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The error of every xtask step: a message for a person.
pub type Error = Box<dyn std::error::Error>;
/// The result of every xtask step.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The workspace root (the directory above `xtask/`).
pub fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set, `target/` otherwise.
pub fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                env::current_dir().unwrap_or_else(|_| root()).join(dir)
            }
        }
        _ => root().join("target"),
    }
}

/// A `cargo` command for the toolchain that runs xtask, in the workspace root.
pub fn cargo() -> Command {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root());
    cmd
}

/// A `cargo +TOOLCHAIN` command through rustup's proxy, in the workspace root.
pub fn cargo_toolchain(toolchain: &str) -> Command {
    let mut cmd = Command::new("cargo");
    // The proxy picks the toolchain from `+name`; drop what the outer cargo set so the
    // inner one does not inherit the stable toolchain's paths.
    cmd.env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .arg(format!("+{toolchain}"))
        .current_dir(root());
    cmd
}

/// Shows a command the way a person would type it.
pub fn display(cmd: &Command) -> String {
    let mut out = String::new();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            let key = key.to_string_lossy();
            // Passwords stay out of logs, even test ones.
            let value = if key.contains("PASSWORD") {
                "***".into()
            } else if key == "PATH" {
                // Only the directory xtask put in front matters.
                let value = value.to_string_lossy();
                match value.split_once(':') {
                    Some((first, _)) => format!("{first}:$PATH").into(),
                    None => value,
                }
            } else {
                value.to_string_lossy()
            };
            out.push_str(&format!("{key}={value} "));
        }
    }
    let program = Path::new(cmd.get_program());
    let program =
        if program.components().count() > 1 && program.file_name() == Some(OsStr::new("cargo")) {
            OsStr::new("cargo")
        } else {
            cmd.get_program()
        };
    out.push_str(&program.to_string_lossy());
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        if arg.is_empty() || arg.contains(char::is_whitespace) {
            out.push_str(&format!(" '{arg}'"));
        } else {
            out.push(' ');
            out.push_str(&arg);
        }
    }
    out
}

/// Runs a command with inherited stdio; `Ok(true)` when it exits with success.
pub fn run(cmd: &mut Command) -> Result<bool> {
    eprintln!("$ {}", display(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {}: {e}", display(cmd)))?;
    Ok(status.success())
}

/// Whether a program answers `--version` (and so is installed).
pub fn answers(cmd: &mut Command) -> bool {
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The last `lines` lines of a (log) file, or a note that it cannot be read.
pub fn tail(path: &Path, lines: usize) -> String {
    let read = || -> std::io::Result<String> {
        let mut file = fs::File::open(path)?;
        let len = file.metadata()?.len();
        // Logs can be large: read only the end.
        let start = len.saturating_sub(64 * 1024);
        file.seek(SeekFrom::Start(start))?;
        let mut buf = Vec::new();
        file.read_to_end(&mut buf)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    };
    match read() {
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_holds_the_workspace_manifest() {
        let manifest = fs::read_to_string(root().join("Cargo.toml")).expect("root manifest");
        assert!(manifest.contains("[workspace]"));
    }

    #[test]
    fn display_quotes_what_needs_it() {
        let mut cmd = Command::new("cargo");
        cmd.args(["test", "-p", "x", "a b", ""])
            .env("K", "v")
            .env("NEO4J_PASSWORD", "secret")
            .env("PATH", "/t/bin:/usr/bin:/bin");
        assert_eq!(
            display(&cmd),
            "K=v NEO4J_PASSWORD=*** PATH=/t/bin:$PATH cargo test -p x 'a b' ''"
        );
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        let dir = env::temp_dir().join(format!("xtask-tail-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("log");
        fs::write(&file, "1\n2\n3\n4\n").expect("write");
        assert_eq!(tail(&file, 2), "3\n4");
        assert_eq!(tail(&file, 10), "1\n2\n3\n4");
        fs::remove_dir_all(&dir).expect("cleanup");
        assert!(tail(&file, 1).starts_with("(cannot read"));
    }
}
