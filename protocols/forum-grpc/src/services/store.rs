//! `kv`'s durable store: what survives a crash and restart of the
//! service. In simulation a [`MemStore`] held outside the host's tasks
//! (one per run); on a real process a [`FileStore`] (`ldfi forum serve
//! --service kv --data-dir DIR`), or a [`MemStore`] that dies with the
//! process when no directory is given.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Durable posts, by key.
pub trait Store: Send + Sync + 'static {
    /// Everything persisted so far.
    fn load(&self) -> BTreeMap<String, String>;
    /// Persists `key = value`; when it returns `Ok` the post survives a
    /// crash.
    fn persist(&self, key: &str, value: &str) -> Result<(), String>;
}

/// A store in memory: survives a restart of the service (not of the
/// process that holds it).
#[derive(Debug, Default)]
pub struct MemStore(Mutex<BTreeMap<String, String>>);

impl MemStore {
    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Store for MemStore {
    fn load(&self) -> BTreeMap<String, String> {
        self.map().clone()
    }
    fn persist(&self, key: &str, value: &str) -> Result<(), String> {
        self.map().insert(key.to_string(), value.to_string());
        Ok(())
    }
}

/// The first line of a store's log file.
pub const HEADER: &str = "ldfi-forum-kv 1";
/// The log's name in the data directory.
pub const LOG: &str = "kv.log";

/// A store on disk: `DIR/kv.log`, the header line and then one JSON
/// `[key, value]` line per post, appended and synced before
/// [`Store::persist`] returns. A file that is not such a log is never
/// written to; a torn last line (a crash while appending) is ignored.
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
    file: Mutex<File>,
    posts: Mutex<BTreeMap<String, String>>,
}

/// Why a data directory cannot be used (a configuration error: exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {why}")]
pub struct StoreError {
    /// The directory or file.
    pub path: String,
    /// Why.
    pub why: String,
}

fn err(path: &Path, why: impl std::fmt::Display) -> StoreError {
    StoreError {
        path: path.display().to_string(),
        why: why.to_string(),
    }
}

impl FileStore {
    /// Opens (or starts) the log in `dir`, which must exist.
    pub fn open(dir: &Path) -> Result<FileStore, StoreError> {
        if !dir.is_dir() {
            return Err(err(dir, "--data-dir: not a directory"));
        }
        let path = dir.join(LOG);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| err(&path, e))?;
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| err(&path, format!("not a kv log ({e}); left untouched")))?;
        let posts = if text.is_empty() {
            writeln!(file, "{HEADER}").map_err(|e| err(&path, e))?;
            file.sync_data().map_err(|e| err(&path, e))?;
            BTreeMap::new()
        } else {
            let (posts, whole) = parse(&text).map_err(|why| err(&path, why))?;
            if whole < text.len() {
                // Cuts the torn line (never acknowledged) off our own log.
                file.set_len(whole as u64).map_err(|e| err(&path, e))?;
            }
            posts
        };
        Ok(FileStore {
            path,
            file: Mutex::new(file),
            posts: Mutex::new(posts),
        })
    }
}

/// The posts of a log's text, and the length of its whole lines.
fn parse(text: &str) -> Result<(BTreeMap<String, String>, usize), String> {
    let mut lines = text.split_inclusive('\n');
    let head = lines.next().unwrap_or_default();
    if head != format!("{HEADER}\n") {
        return Err(format!(
            "not a kv log (its first line is not `{HEADER}`); left untouched"
        ));
    }
    let mut posts = BTreeMap::new();
    let mut whole = head.len();
    for (i, line) in lines.enumerate() {
        let Some(line) = line.strip_suffix('\n') else {
            // Torn by a crash while appending: never acknowledged.
            break;
        };
        whole += line.len() + 1;
        if line.is_empty() {
            continue;
        }
        let (k, v): (String, String) = serde_json::from_str(line)
            .map_err(|e| format!("line {}: not a [key, value] pair: {e}", i + 2))?;
        posts.insert(k, v);
    }
    Ok((posts, whole))
}

impl Store for FileStore {
    fn load(&self) -> BTreeMap<String, String> {
        self.posts.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn persist(&self, key: &str, value: &str) -> Result<(), String> {
        let line = serde_json::to_string(&(key, value)).map_err(|e| e.to_string())?;
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let fail = |e: std::io::Error| format!("{}: {e}", self.path.display());
        writeln!(file, "{line}").map_err(fail)?;
        file.sync_data().map_err(fail)?;
        (self.posts.lock().unwrap_or_else(|p| p.into_inner()))
            .insert(key.to_string(), value.to_string());
        Ok(())
    }
}
