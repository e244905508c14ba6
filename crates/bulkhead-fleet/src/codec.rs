//! Stored blobs (inventories, reports, layer analyses): JSON, compressed
//! with zstd when larger than [`COMPRESS_ABOVE`]; the codec is stored
//! beside the bytes (`json` or `zstd`). Decoding is size-capped: a corrupt
//! or hostile row cannot expand past [`MAX_DECODED_BYTES`].

use crate::error::{Error, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::Read;

/// Blobs larger than this are compressed.
pub const COMPRESS_ABOVE: usize = 16 * 1024;

/// Largest decoded blob accepted.
pub const MAX_DECODED_BYTES: u64 = 1 << 30;

/// zstd level: fast, and already a 5-10x gain on package lists.
const LEVEL: i32 = 3;

/// `(bytes, codec)` of `value`.
pub fn encode<T: Serialize>(value: &T) -> Result<(Vec<u8>, &'static str)> {
    let json = serde_json::to_vec(value)
        .map_err(|e| Error::Internal(format!("cannot serialise a stored value: {e}")))?;
    if json.len() <= COMPRESS_ABOVE {
        return Ok((json, "json"));
    }
    let z = zstd::bulk::compress(&json, LEVEL)
        .map_err(|e| Error::Internal(format!("cannot compress a stored value: {e}")))?;
    Ok((z, "zstd"))
}

/// Decode a stored blob; `what` names it in errors.
pub fn decode<T: DeserializeOwned>(bytes: &[u8], codec: &str, what: &str) -> Result<T> {
    let corrupt = |why: String| Error::Data(format!("the stored {what} is unreadable ({why})"));
    match codec {
        "json" => serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string())),
        "zstd" => {
            let dec =
                zstd::stream::read::Decoder::new(bytes).map_err(|e| corrupt(e.to_string()))?;
            let mut out = Vec::new();
            dec.take(MAX_DECODED_BYTES + 1)
                .read_to_end(&mut out)
                .map_err(|e| corrupt(e.to_string()))?;
            if out.len() as u64 > MAX_DECODED_BYTES {
                return Err(corrupt(format!(
                    "it expands past {MAX_DECODED_BYTES} bytes"
                )));
            }
            serde_json::from_slice(&out).map_err(|e| corrupt(e.to_string()))
        }
        other => Err(corrupt(format!("unknown codec {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn small_stays_json_large_is_compressed() {
        let small = vec!["a"; 3];
        let (b, c) = encode(&small).unwrap();
        assert_eq!(c, "json");
        assert_eq!(decode::<Vec<String>>(&b, c, "x").unwrap(), small);
        let large: Vec<String> = (0..5000).map(|i| format!("package-{i}")).collect();
        let (b, c) = encode(&large).unwrap();
        assert_eq!(c, "zstd");
        assert!(b.len() < COMPRESS_ABOVE);
        assert_eq!(decode::<Vec<String>>(&b, c, "x").unwrap(), large);
    }

    #[test]
    fn hostile_blobs_are_errors() {
        for (bytes, codec) in [
            (&b"{not json"[..], "json"),
            (&b"\x28\xb5\x2f\xfd garbage"[..], "zstd"),
            (&b""[..], "zstd"),
            (&b"[]"[..], "gzip"),
        ] {
            let e = decode::<Vec<String>>(bytes, codec, "report").unwrap_err();
            assert!(e.to_string().contains("stored report"), "{e}");
        }
        // Truncated compressed data.
        let large: Vec<String> = (0..5000).map(|i| format!("p{i}")).collect();
        let (b, c) = encode(&large).unwrap();
        assert!(decode::<Vec<String>>(&b[..b.len() / 2], c, "x").is_err());
        // A bomb: a long run of zeros compresses to little and is refused
        // only past the cap; here it is simply not JSON.
        let bomb = zstd::bulk::compress(&vec![0u8; 4 << 20], 19).unwrap();
        assert!(decode::<Vec<String>>(&bomb, "zstd", "x").is_err());
    }
}
