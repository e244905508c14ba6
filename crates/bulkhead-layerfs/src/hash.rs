use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Bytes handed to the hashing thread at a time.
const CHUNK: usize = 256 * 1024;
/// Chunks in flight per hasher: bounds memory at `CHUNK * DEPTH` per stream.
const DEPTH: usize = 8;

/// SHA-256 computed on a helper thread, so hashing (the largest single cost
/// of reading a layer, even with SHA-NI) overlaps with decompression and tar
/// parsing instead of adding to them. Falls back to hashing inline when no
/// thread can be started.
enum Hasher {
    Inline(Sha256),
    Offloaded {
        buf: Vec<u8>,
        tx: SyncSender<Vec<u8>>,
        handle: JoinHandle<String>,
    },
}

impl Hasher {
    fn new() -> Hasher {
        let (tx, rx) = sync_channel::<Vec<u8>>(DEPTH);
        let spawned = std::thread::Builder::new()
            .name("bulkhead-sha256".into())
            .spawn(move || {
                let mut h = Sha256::new();
                for chunk in rx {
                    h.update(&chunk);
                }
                hex::encode(h.finalize())
            });
        match spawned {
            Ok(handle) => Hasher::Offloaded {
                buf: Vec::with_capacity(CHUNK),
                tx,
                handle,
            },
            Err(_) => Hasher::Inline(Sha256::new()),
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Inline(h) => h.update(data),
            Hasher::Offloaded { buf, tx, .. } => {
                buf.extend_from_slice(data);
                if buf.len() >= CHUNK {
                    let chunk = std::mem::replace(buf, Vec::with_capacity(CHUNK));
                    // The receiver only goes away if the thread died; the
                    // digest then fails in `finalize`.
                    let _ = tx.send(chunk);
                }
            }
        }
    }

    fn finalize(self) -> io::Result<String> {
        match self {
            Hasher::Inline(h) => Ok(hex::encode(h.finalize())),
            Hasher::Offloaded { buf, tx, handle } => {
                if !buf.is_empty() {
                    let _ = tx.send(buf);
                }
                drop(tx);
                handle
                    .join()
                    .map_err(|_| io::Error::other("the hashing thread failed"))
            }
        }
    }
}

/// A reader that hashes and counts what passes through it, and fails once
/// more than `limit` bytes have passed.
pub(crate) struct HashReader<R> {
    inner: R,
    /// `None` once hashing was switched off (see [`HashReader::stop_hashing`]).
    hasher: Option<Hasher>,
    count: u64,
    limit: u64,
}

/// The marker in the io::Error raised when the limit is crossed.
pub(crate) const LIMIT_MARKER: &str = "bulkhead: byte limit exceeded";

impl<R: Read> HashReader<R> {
    pub(crate) fn new(inner: R, limit: u64) -> Self {
        HashReader {
            inner,
            hasher: Some(Hasher::new()),
            count: 0,
            limit,
        }
    }

    /// Stop hashing: for a plain tar the stored bytes are the tar, so the
    /// diff_id hash already covers them and a second hash would double the cost.
    pub(crate) fn stop_hashing(&mut self) {
        self.hasher = None;
    }

    /// Read the rest of the stream, then return `sha256:<hex>` (empty when
    /// hashing was stopped), the byte count and the inner reader.
    pub(crate) fn finish(mut self) -> io::Result<(String, u64, R)> {
        io::copy(&mut self, &mut io::sink())?;
        let digest = match self.hasher {
            Some(h) => format!("sha256:{}", h.finalize()?),
            None => String::new(),
        };
        Ok((digest, self.count, self.inner))
    }
}

impl<R: Read> Read for HashReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        if self.count > self.limit {
            return Err(io::Error::other(LIMIT_MARKER));
        }
        if let (Some(h), Some(chunk)) = (self.hasher.as_mut(), buf.get(..n)) {
            h.update(chunk);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offloaded_hash_equals_inline_hash() {
        let data: Vec<u8> = (0..3 * CHUNK + 12345).map(|i| (i % 251) as u8).collect();
        let mut r = HashReader::new(data.as_slice(), u64::MAX);
        let mut small = [0u8; 777];
        let mut total = 0;
        loop {
            let n = r.read(&mut small).unwrap();
            if n == 0 {
                break;
            }
            total += n;
        }
        assert_eq!(total, data.len());
        let (digest, count, _) = r.finish().unwrap();
        assert_eq!(count as usize, data.len());
        assert_eq!(
            digest,
            format!("sha256:{}", hex::encode(Sha256::digest(&data)))
        );
        let (empty, _, _) = HashReader::new(&b""[..], 10).finish().unwrap();
        assert_eq!(
            empty,
            format!("sha256:{}", hex::encode(Sha256::digest(b"")))
        );
    }
}
