use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

/// Makes the first `read` return at least `min` bytes (or all there is):
/// readers that sniff magic bytes with one `fill_buf` (the layer reader)
/// would misdetect compression after a short first read, which network
/// bodies and chained readers produce.
pub(crate) struct FullFirstRead<R> {
    inner: R,
    head: Option<io::Cursor<Vec<u8>>>,
    min: usize,
}

impl<R: Read> FullFirstRead<R> {
    pub(crate) fn new(inner: R, min: usize) -> Self {
        FullFirstRead {
            inner,
            head: None,
            min,
        }
    }
}

impl<R: Read> Read for FullFirstRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.head.is_none() {
            let mut head = Vec::with_capacity(self.min);
            (&mut self.inner)
                .take(self.min as u64)
                .read_to_end(&mut head)?;
            self.head = Some(io::Cursor::new(head));
        }
        if let Some(h) = &mut self.head
            && (h.position() as usize) < h.get_ref().len()
        {
            return h.read(buf);
        }
        self.inner.read(buf)
    }
}

/// A blob in a registry, fetched when opened.
pub struct RemoteBlob {
    pub(crate) registry: crate::registry::Registry,
    pub(crate) repository: String,
    pub(crate) digest: String,
    pub(crate) size: u64,
}

impl std::fmt::Debug for RemoteBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteBlob")
            .field("registry", &self.registry)
            .field("repository", &self.repository)
            .field("digest", &self.digest)
            .field("size", &self.size)
            .finish()
    }
}

impl PartialEq for RemoteBlob {
    fn eq(&self, other: &Self) -> bool {
        self.repository == other.repository && self.digest == other.digest
    }
}

impl Eq for RemoteBlob {}

/// Where a blob's bytes are; can be opened many times and from many threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobRef {
    /// A byte range of a file (a member of a tar archive, or a whole file).
    File {
        path: PathBuf,
        offset: u64,
        len: u64,
    },
    /// A blob in a registry: `open` performs a streamed GET (with auth and
    /// retries), capped at the size the manifest names. The bytes are not
    /// verified here: the layer reader verifies the digest as it streams.
    Remote(Arc<RemoteBlob>),
    /// A layer that was streamed once from its source (the Docker daemon's
    /// export) and cannot be read again.
    Streamed { len: u64 },
}

impl BlobRef {
    /// Open a fresh reader over the blob.
    pub fn open(&self) -> io::Result<Box<dyn Read + Send>> {
        match self {
            BlobRef::File { path, offset, len } => {
                let mut f = File::open(path)?;
                f.seek(SeekFrom::Start(*offset))?;
                Ok(Box::new(io::BufReader::with_capacity(
                    256 * 1024,
                    f.take(*len),
                )))
            }
            BlobRef::Remote(r) => r
                .registry
                .open_blob(&r.repository, &r.digest, r.size)
                .map(|body| Box::new(FullFirstRead::new(body, 512)) as Box<dyn Read + Send>)
                .map_err(io::Error::other),
            BlobRef::Streamed { .. } => Err(io::Error::other(
                "this layer was streamed from the Docker daemon and cannot be read again",
            )),
        }
    }

    /// Stored length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            BlobRef::File { len, .. } | BlobRef::Streamed { len } => *len,
            BlobRef::Remote(r) => r.size,
        }
    }

    /// Whether the blob is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
