//! The flags of images read by name (`--image-src`, `--insecure`,
//! `--timeout`) and of the layer cache; the engine (`bulkhead_engine`) reads
//! the images.

use clap::Args;

/// Flags for images read by name, and the layer cache.
#[derive(Debug, Args, Clone, Default)]
pub struct SourceArgs {
    /// Where to look for an image given by name, in order (comma-separated):
    /// `docker` (the local Docker daemon) and `remote` (its registry).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "docker,remote",
        value_name = "SRC,..."
    )]
    pub image_src: Vec<String>,
    /// Allow plain HTTP and unverified TLS for the image's registry
    /// (registries on localhost may always use plain HTTP).
    #[arg(long)]
    pub insecure: bool,
    /// Give up on the registry after this long (e.g. 90s, 10m, 1h).
    #[arg(long, value_name = "DURATION", default_value = "10m")]
    pub timeout: String,
    /// Do not read or write the layer cache (<cache-dir>/layers). A cached
    /// layer is not read again, so a blob corrupted after its first scan is
    /// only noticed with this flag.
    #[arg(long, env = "BULKHEAD_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_cache: bool,
}
