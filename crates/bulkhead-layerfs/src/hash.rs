use sha2::{Digest, Sha256};
use std::io::{self, Read};

/// A reader that hashes and counts what passes through it, and fails once
/// more than `limit` bytes have passed.
pub(crate) struct HashReader<R> {
    inner: R,
    /// `None` once hashing was switched off (see [`HashReader::stop_hashing`]).
    hasher: Option<Sha256>,
    count: u64,
    limit: u64,
}

/// The marker in the io::Error raised when the limit is crossed.
pub(crate) const LIMIT_MARKER: &str = "bulkhead: byte limit exceeded";

impl<R: Read> HashReader<R> {
    pub(crate) fn new(inner: R, limit: u64) -> Self {
        HashReader {
            inner,
            hasher: Some(Sha256::new()),
            count: 0,
            limit,
        }
    }

    /// Stop hashing: for a plain tar the stored bytes are the tar, so the
    /// diff_id hash already covers them and a second hash would double the cost.
    pub(crate) fn stop_hashing(&mut self) {
        self.hasher = None;
    }

    /// Read the rest of the stream, then return `sha256:<hex>` and the inner reader.
    pub(crate) fn finish(mut self) -> io::Result<(String, u64, R)> {
        io::copy(&mut self, &mut io::sink())?;
        let digest = match self.hasher {
            Some(h) => format!("sha256:{}", hex::encode(h.finalize())),
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
