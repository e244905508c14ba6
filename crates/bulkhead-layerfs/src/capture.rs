use crate::{Entry, Limits};
use std::io::{self, Read, Seek, SeekFrom, Write};

/// Content of a captured file.
#[derive(Debug)]
pub enum CapturedData {
    /// Small files live in memory.
    Memory(Vec<u8>),
    /// Large files (fat jars, Go binaries) go to a private temp file that is
    /// deleted when dropped; analyzers get random access.
    Spilled(tempfile::NamedTempFile),
}

/// A file an analyzer asked for.
#[derive(Debug)]
pub struct Captured {
    pub entry: Entry,
    pub data: CapturedData,
    /// True when the file was larger than the capture cap and was cut.
    pub truncated: bool,
}

impl Captured {
    /// The content as bytes: in memory as is, spilled files read back whole.
    pub fn bytes(&self) -> io::Result<std::borrow::Cow<'_, [u8]>> {
        match &self.data {
            CapturedData::Memory(v) => Ok(std::borrow::Cow::Borrowed(v)),
            CapturedData::Spilled(f) => {
                let mut file = f.reopen()?;
                let mut v = Vec::new();
                file.read_to_end(&mut v)?;
                Ok(std::borrow::Cow::Owned(v))
            }
        }
    }

    /// A fresh reader over the content.
    pub fn reader(&self) -> io::Result<Box<dyn Read + '_>> {
        match &self.data {
            CapturedData::Memory(v) => Ok(Box::new(io::Cursor::new(v.as_slice()))),
            CapturedData::Spilled(f) => {
                let mut file = f.reopen()?;
                file.seek(SeekFrom::Start(0))?;
                Ok(Box::new(io::BufReader::new(file)))
            }
        }
    }
}

/// Capture a file's content: in memory up to `limits.max_in_memory`, beyond
/// that in a temp file (in the system temp dir, named by tempfile, never by
/// the entry's name), never more than `limits.max_capture` bytes.
pub fn capture(entry: &Entry, reader: &mut dyn Read, limits: &Limits) -> io::Result<Captured> {
    let mut limited = reader.take(limits.max_capture);
    let truncated = entry.size > limits.max_capture;
    if entry.size <= limits.max_in_memory {
        let mut buf = Vec::with_capacity(usize::try_from(entry.size).unwrap_or(0));
        limited.read_to_end(&mut buf)?;
        return Ok(Captured {
            entry: entry.clone(),
            data: CapturedData::Memory(buf),
            truncated,
        });
    }
    let mut tmp = tempfile::Builder::new()
        .prefix("bulkhead-spill-")
        .tempfile()?;
    io::copy(&mut limited, tmp.as_file_mut())?;
    tmp.as_file_mut().flush()?;
    Ok(Captured {
        entry: entry.clone(),
        data: CapturedData::Spilled(tmp),
        truncated,
    })
}
