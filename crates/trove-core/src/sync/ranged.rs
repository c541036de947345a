//! Fixity of large originals by ranged reads, as Media2Cloud's fixity state
//! machine does it: the object is read in chunks (one ranged GET each), and
//! after each chunk its BLAKE3 chaining value is saved in the catalog, so a
//! check interrupted halfway (a kill, a dead network, the day's window
//! over) resumes from its last chunk. BLAKE3 is a tree hash: the chaining
//! values of chunks whose size is a power of two merge into the hash of the
//! whole (`blake3::hazmat`), so no hasher state has to be kept. The check
//! compares size and BLAKE3 (MD5's state cannot be saved between chunks;
//! BLAKE3 is the stronger of the two). Reads are paced to a bandwidth cap.

use std::time::{Duration, Instant};

use blake3::hazmat::{ChainingValue, HasherExt as _, Mode, merge_subtrees_non_root, merge_subtrees_root};

use crate::cancel::Cancel;

/// Chunks of 16 MiB: a ranged GET each, and 32 bytes of progress.
pub const DEFAULT_FIXITY_CHUNK: u64 = 16 << 20;

/// How a fixity run reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixityOptions {
    /// Objects read at once (small ones; large ones go one chunk at a time).
    pub concurrency: usize,
    /// At most this many bytes a second on average (`None`: as fast as the
    /// network goes).
    pub max_bytes_per_s: Option<u64>,
    /// Originals larger than two chunks are read in ranged chunks of this
    /// size (a power of two of at least 1 KiB), resumable.
    pub chunk_bytes: u64,
    /// How objects in an archive storage class are restored to be read;
    /// `None`: as the target's settings say.
    pub archive: Option<super::ArchiveOptions>,
}

impl Default for FixityOptions {
    fn default() -> Self {
        FixityOptions {
            concurrency: 8,
            max_bytes_per_s: None,
            chunk_bytes: DEFAULT_FIXITY_CHUNK,
            archive: None,
        }
    }
}

impl FixityOptions {
    /// The chunk size made valid: a power of two, at least BLAKE3's chunk.
    pub(crate) fn chunk(&self) -> u64 {
        self.chunk_bytes
            .max(blake3::CHUNK_LEN as u64)
            .checked_next_power_of_two()
            .unwrap_or(DEFAULT_FIXITY_CHUNK)
    }

    /// Whether an object of `size` bytes is checked in ranged chunks.
    pub(crate) fn ranged(&self, size: u64) -> bool {
        size > 2 * self.chunk()
    }
}

/// The chaining value of the chunk that starts at `offset`.
pub(crate) fn chunk_value(bytes: &[u8], offset: u64) -> ChainingValue {
    let mut h = blake3::Hasher::new();
    h.set_input_offset(offset);
    h.update(bytes);
    h.finalize_non_root()
}

/// The BLAKE3 of the whole input from the chaining values of its chunks
/// (at least two; all of the same power-of-two size but the last): the
/// left subtree is always the largest power of two of chunks less than the
/// whole, as in BLAKE3's own tree.
pub(crate) fn root_hash(values: &[ChainingValue]) -> [u8; 32] {
    debug_assert!(values.len() >= 2);
    let left = left_len(values.len());
    let (l, r) = values.split_at(left);
    *merge_subtrees_root(&merge(l), &merge(r), Mode::Hash).as_bytes()
}

fn merge(values: &[ChainingValue]) -> ChainingValue {
    if values.len() == 1 {
        return values[0];
    }
    let (l, r) = values.split_at(left_len(values.len()));
    merge_subtrees_non_root(&merge(l), &merge(r), Mode::Hash)
}

/// The largest power of two less than `n` (n >= 2).
fn left_len(n: usize) -> usize {
    let p = n.next_power_of_two();
    if p == n { n / 2 } else { p / 2 }
}

/// Keeps reads under a bandwidth cap on average since it started.
#[derive(Debug)]
pub(crate) struct Pacer {
    cap: Option<u64>,
    started: Instant,
    bytes: u64,
}

impl Pacer {
    pub(crate) fn new(cap: Option<u64>) -> Pacer {
        Pacer {
            cap: cap.filter(|c| *c > 0),
            started: Instant::now(),
            bytes: 0,
        }
    }

    /// Counts `bytes` read, then waits until the average is back under the
    /// cap (in short steps, so a cancel stays prompt).
    pub(crate) fn read(&mut self, bytes: u64, cancel: &Cancel) {
        self.bytes += bytes;
        let Some(cap) = self.cap else { return };
        let due = Duration::from_secs_f64(self.bytes as f64 / cap as f64);
        while !cancel.is_cancelled() {
            let elapsed = self.started.elapsed();
            if elapsed >= due {
                return;
            }
            std::thread::sleep((due - elapsed).min(Duration::from_millis(100)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The merged chaining values give `blake3::hash` of the whole, for
    /// every number of chunks up to 40 and a short last chunk.
    #[test]
    fn chunk_values_merge_into_the_whole_hash() {
        let chunk = 2048usize;
        let data: Vec<u8> = (0..chunk * 40 + 777).map(|i| (i * 31 % 251) as u8).collect();
        for n in 2..=41 {
            for tail in [chunk, 1, 777] {
                let len = chunk * (n - 1) + tail;
                if len > data.len() {
                    continue;
                }
                let input = &data[..len];
                let values: Vec<_> = input
                    .chunks(chunk)
                    .enumerate()
                    .map(|(i, c)| chunk_value(c, (i * chunk) as u64))
                    .collect();
                assert_eq!(
                    root_hash(&values),
                    *blake3::hash(input).as_bytes(),
                    "{n} chunks, tail {tail}"
                );
            }
        }
    }

    #[test]
    fn chunk_sizes_are_powers_of_two() {
        let o = |c| FixityOptions {
            chunk_bytes: c,
            ..FixityOptions::default()
        };
        assert_eq!(o(3000).chunk(), 4096);
        assert_eq!(o(1).chunk(), 1024);
        assert_eq!(o(16 << 20).chunk(), 16 << 20);
        assert!(!o(4096).ranged(8192) && o(4096).ranged(8193));
    }

    #[test]
    fn the_pacer_keeps_to_its_cap() {
        let cancel = Cancel::new();
        let mut p = Pacer::new(Some(1_000_000));
        let started = Instant::now();
        p.read(300_000, &cancel);
        assert!(started.elapsed() >= Duration::from_millis(290));
        let mut free = Pacer::new(None);
        let started = Instant::now();
        free.read(u64::MAX / 2, &cancel);
        assert!(started.elapsed() < Duration::from_millis(50));
    }
}
