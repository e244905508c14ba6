use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;

/// Where a blob's bytes are; can be opened many times and from many threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobRef {
    /// A byte range of a file (a member of a tar archive, or a whole file).
    File {
        path: PathBuf,
        offset: u64,
        len: u64,
    },
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
        }
    }

    /// Stored length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            BlobRef::File { len, .. } => *len,
        }
    }

    /// Whether the blob is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
