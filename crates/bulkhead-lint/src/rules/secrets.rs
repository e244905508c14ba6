//! Secret-looking names, values and files: the shared classifier of
//! `bulkhead-types` (the redaction of reports uses the same rules).

pub use bulkhead_types::sensitive::{
    is_placeholder, is_secret_file, is_secret_name, is_secret_value,
};
