//! bulkhead-image: what a registry client gets from outside: `Authorization`
//! values handed over with a scan request, and tag-list and catalog pages.
//! Never panics; an accepted value survives its round trip.
#![no_main]

use bulkhead_image::registry::{Authorization, is_repository, is_tag, parse_list_page};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(a) = Authorization::parse(text)
    {
        let again = Authorization::parse(&a.header_value()).ok();
        assert_eq!(again.as_ref(), Some(&a));
    }
    if let Ok(tags) = parse_list_page(data, "tags", &is_tag) {
        assert!(tags.iter().all(|t| is_tag(t)));
    }
    if let Ok(repos) = parse_list_page(data, "repositories", &is_repository) {
        assert!(repos.iter().all(|r| is_repository(r)));
    }
});
