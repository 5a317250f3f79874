//! Writing a report directory: never over a user's files, each file
//! written to a temporary name and renamed into place.
//!
//! A report directory holds [`MARKER`], which lists the files the report
//! wrote. A directory may be written to when it does not exist, is empty,
//! or holds that marker (a previous report: its listed files are removed
//! first, so no stale page survives). Anything else is refused before a
//! byte is written.

use crate::error::ReportError;
use std::path::{Path, PathBuf};

/// The marker file of a report directory.
pub const MARKER: &str = ".ldfi-report";

/// First line of [`MARKER`].
const MARKER_HEADER: &str = "ldfi report: files written by ldfi --report";

/// Checks that `dir` may hold a report; returns the files a previous
/// report there wrote (empty for a new or empty directory).
pub fn check(dir: &Path) -> Result<(), ReportError> {
    previous(dir).map(|_| ())
}

fn previous(dir: &Path) -> Result<Vec<String>, ReportError> {
    let io = |e: std::io::Error| ReportError::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    if dir.exists() && !dir.is_dir() {
        return Err(ReportError::NotADirectory {
            dir: dir.to_path_buf(),
        });
    }
    if !dir.is_dir() || std::fs::read_dir(dir).map_err(io)?.next().is_none() {
        return Ok(Vec::new());
    }
    let marker = std::fs::read_to_string(dir.join(MARKER)).ok();
    let Some(listed) = marker.filter(|m| m.starts_with(MARKER_HEADER)) else {
        return Err(ReportError::NotEmpty {
            dir: dir.to_path_buf(),
        });
    };
    Ok(listed
        .lines()
        .skip(1)
        .filter(|n| is_plain_name(n))
        .map(str::to_string)
        .collect())
}

/// Checks that `dir` may hold a report, removes a previous report's
/// files (only those its marker lists) and creates the directory.
pub fn prepare(dir: &Path) -> Result<(), ReportError> {
    let io = |e: std::io::Error| ReportError::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    for name in previous(dir)? {
        match std::fs::remove_file(dir.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
            _ => {}
        }
    }
    std::fs::create_dir_all(dir).map_err(io)
}

/// A file name without any directory part (what a report writes).
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != MARKER && !name.starts_with('.') && !name.contains(['/', '\\'])
}

/// Writes `files` (name, contents) into `dir` (after [`prepare`]), then
/// the marker listing them. Each file goes to a temporary name first and
/// is renamed into place.
pub fn write_all(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, ReportError> {
    let mut marker = String::from(MARKER_HEADER);
    marker.push('\n');
    let mut written = Vec::new();
    for (name, _) in files {
        assert!(is_plain_name(name), "report file names are plain: {name}");
        // The marker first lists what is about to exist, so an interrupted
        // write leaves a directory a later report may still reuse.
        marker.push_str(name);
        marker.push('\n');
    }
    write_atomic(&dir.join(MARKER), &marker)?;
    for (name, body) in files {
        let path = dir.join(name);
        write_atomic(&path, body)?;
        written.push(path);
    }
    Ok(written)
}

fn write_atomic(path: &Path, body: &str) -> Result<(), ReportError> {
    let tmp = path.with_extension("tmp-ldfi");
    let io = |e: std::io::Error| ReportError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    std::fs::write(&tmp, body).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ldfi-report-out-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_users_directory_is_refused_and_left_alone() {
        let d = temp("user");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("notes.txt"), "mine").unwrap();
        assert!(matches!(prepare(&d), Err(ReportError::NotEmpty { .. })));
        assert_eq!(
            std::fs::read_to_string(d.join("notes.txt")).unwrap(),
            "mine"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_previous_report_is_replaced_without_stale_pages() {
        let d = temp("again");
        prepare(&d).unwrap();
        let files = |names: &[&str]| -> Vec<(String, String)> {
            names
                .iter()
                .map(|n| (n.to_string(), "x".to_string()))
                .collect()
        };
        write_all(&d, &files(&["index.html", "old.html"])).unwrap();
        prepare(&d).unwrap();
        write_all(&d, &files(&["index.html"])).unwrap();
        assert!(d.join("index.html").exists());
        assert!(!d.join("old.html").exists(), "stale page removed");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_file_is_not_a_report_directory() {
        let d = temp("file");
        std::fs::write(&d, "x").unwrap();
        assert!(matches!(
            prepare(&d),
            Err(ReportError::NotADirectory { .. })
        ));
        std::fs::remove_file(&d).unwrap();
    }
}
