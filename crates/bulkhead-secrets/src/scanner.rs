//! The scanner: one Aho-Corasick pass over all rule keywords finds candidate
//! regions; each rule's regex (the linear-time `regex` crate) runs only on
//! its merged regions; matches are validated, allowlisted, de-duplicated
//! (the more specific rule wins an overlap) and redacted.

use crate::config::{ConfigError, DEFAULT_MAX_FILE_SIZE, SecretsConfig};
use crate::redact::{redact_secret, render_match};
use crate::rule::{Hit, Region, Rule};
use crate::rules::BUILTIN;
use crate::validate::entropy;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use bulkhead_types::{Secret, Severity};
use regex::bytes::{Regex, RegexBuilder};
use std::collections::HashSet;
use std::ops::Range;

/// Bytes looked at for NUL when deciding that a file is binary.
pub const SNIFF_LEN: usize = 8 * 1024;

/// Most compiled size of one regex (user rules included).
const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;

/// Whether content is binary: a NUL byte in the first 8 KiB.
pub fn is_binary(head: &[u8]) -> bool {
    memchr::memchr(0, head.get(..SNIFF_LEN).unwrap_or(head)).is_some()
}

/// A rule's regex with its capture groups.
struct Re {
    regex: Regex,
    secret_group: usize,
    key_group: Option<usize>,
}

impl Re {
    fn new(regex: Regex) -> Re {
        let (secret_group, key_group) = groups(&regex);
        Re {
            regex,
            secret_group,
            key_group,
        }
    }
}

struct Compiled {
    id: String,
    category: String,
    title: String,
    severity: Severity,
    /// Built-in rules compile their regex on first use (most runs meet few
    /// of them, and compiling all costs more than a small scan); user rules
    /// are compiled at load time, so a bad pattern is reported then.
    pattern: &'static str,
    re: std::sync::OnceLock<Option<Re>>,
    region: Region,
    check: Option<fn(&Hit<'_>) -> bool>,
    min_entropy: Option<f64>,
    paths: Vec<Regex>,
    /// No keywords: the regex runs on the whole file.
    whole_file: bool,
}

impl Compiled {
    /// The compiled regex, compiling a built-in rule's on first use. A
    /// built-in pattern that does not compile (the unit tests compile them
    /// all) matches nothing.
    fn re(&self) -> Option<&Re> {
        self.re
            .get_or_init(|| {
                compile(&format!("built-in rule {}", self.id), self.pattern)
                    .ok()
                    .map(Re::new)
            })
            .as_ref()
    }

    fn secret_group(&self) -> usize {
        self.re().map_or(0, |r| r.secret_group)
    }

    fn key_group(&self) -> Option<usize> {
        self.re().and_then(|r| r.key_group)
    }
}

/// A match kept after validation (raw offsets; never leaves this module).
struct Raw {
    rule: usize,
    whole: Range<usize>,
    secret: Range<usize>,
}

/// A compiled set of rules and allowlists. Cheap to share across threads.
pub struct Scanner {
    rules: Vec<Compiled>,
    keywords: Option<AhoCorasick>,
    /// Keyword pattern id → rules that use it.
    keyword_rules: Vec<Vec<usize>>,
    allow_paths: Vec<Regex>,
    allow_values: Vec<Regex>,
    max_file_size: u64,
    /// SHA-256 of everything that changes findings (see [`Scanner::fingerprint`]).
    fingerprint: String,
}

/// Bumped whenever a built-in rule or the validation changes, so cached
/// layer findings are redone.
pub const RULESET_VERSION: u32 = 1;

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("rules", &self.rules.len())
            .field("max_file_size", &self.max_file_size)
            .finish()
    }
}

fn compile(what: &str, pattern: &str) -> Result<Regex, ConfigError> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| ConfigError::Regex {
            what: what.to_string(),
            pattern: pattern.to_string(),
            reason: e.to_string(),
        })
}

fn groups(re: &Regex) -> (usize, Option<usize>) {
    let find = |name: &str| re.capture_names().position(|n| n == Some(name));
    (find("secret").unwrap_or(0), find("key"))
}

impl Scanner {
    /// The built-in rules with default settings.
    pub fn builtin() -> Result<Scanner, ConfigError> {
        Scanner::new(&SecretsConfig::default())
    }

    /// Built-in plus user rules, minus disabled ones, with allowlists.
    pub fn new(config: &SecretsConfig) -> Result<Scanner, ConfigError> {
        let disabled: HashSet<&str> = config.disable_rules.iter().map(String::as_str).collect();
        let mut rules = Vec::new();
        let mut keyword_lists: Vec<Vec<String>> = Vec::new();
        let mut ids: HashSet<String> = HashSet::new();
        for r in BUILTIN {
            ids.insert(r.id.to_string());
            if disabled.contains(r.id) {
                continue;
            }
            rules.push(builtin(r)?);
            keyword_lists.push(r.keywords.iter().map(|k| k.to_string()).collect());
        }
        for u in &config.rules {
            if !ids.insert(u.id.clone()) {
                return Err(ConfigError::DuplicateId(u.id.clone()));
            }
            if disabled.contains(u.id.as_str()) {
                continue;
            }
            let regex = compile(&format!("rule {}", u.id), &u.regex)?;
            let paths = u
                .paths
                .iter()
                .map(|p| compile(&format!("rule {} paths", u.id), p))
                .collect::<Result<Vec<_>, _>>()?;
            rules.push(Compiled {
                id: u.id.clone(),
                category: u.category.clone().unwrap_or_else(|| "Custom".into()),
                title: u.title.clone().unwrap_or_else(|| u.id.clone()),
                severity: u.severity.unwrap_or(Severity::Medium),
                pattern: "",
                re: std::sync::OnceLock::from(Some(Re::new(regex))),
                region: Region::Line { reach: 4096 },
                check: None,
                min_entropy: u.min_entropy,
                paths,
                whole_file: u.keywords.is_empty(),
            });
            keyword_lists.push(u.keywords.iter().map(|k| k.to_ascii_lowercase()).collect());
        }
        // One automaton over every keyword; each distinct keyword once.
        let mut patterns: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (rule, list) in keyword_lists.iter().enumerate() {
            for k in list {
                match patterns.iter().position(|p| p == k) {
                    Some(i) => {
                        if let Some(v) = keyword_rules.get_mut(i) {
                            v.push(rule);
                        }
                    }
                    None => {
                        patterns.push(k.clone());
                        keyword_rules.push(vec![rule]);
                    }
                }
            }
        }
        let keywords = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .map_err(|e| ConfigError::Section(format!("keywords: {e}")))?,
            )
        };
        let allow_paths = config
            .allow_paths
            .iter()
            .map(|p| compile("allow_paths", p))
            .collect::<Result<Vec<_>, _>>()?;
        let allow_values = config
            .allow_values
            .iter()
            .map(|p| compile("allow_values", p))
            .collect::<Result<Vec<_>, _>>()?;
        let fingerprint = fingerprint(config);
        Ok(Scanner {
            fingerprint,
            rules,
            keywords,
            keyword_rules,
            allow_paths,
            allow_values,
            max_file_size: config.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
        })
    }

    /// A digest of the rule set version and the configuration: equal
    /// fingerprints give equal findings on equal input (a layer-cache key).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Ids of the active rules, in priority order.
    pub fn rule_ids(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.id.as_str()).collect()
    }

    /// Files larger than this are not scanned.
    pub fn max_file_size(&self) -> u64 {
        self.max_file_size
    }

    /// Whether `path` is allowlisted (never scanned).
    pub fn path_allowed(&self, path: &str) -> bool {
        self.allow_paths.iter().any(|r| r.is_match(path.as_bytes()))
    }

    /// Whether a file of this path and size should be read at all.
    pub fn wants(&self, path: &str, size: u64) -> bool {
        size > 0 && size <= self.max_file_size && !self.path_allowed(path)
    }

    /// Scan one file's content. Binary content (a NUL in the first 8 KiB)
    /// and allowlisted paths give nothing; content beyond the size cap is
    /// not read. Findings carry a redacted `Match`, no layer.
    pub fn scan(&self, path: &str, content: &[u8]) -> Vec<Secret> {
        if self.path_allowed(path) || is_binary(content) {
            return Vec::new();
        }
        let cap = usize::try_from(self.max_file_size).unwrap_or(usize::MAX);
        let content = content.get(..cap).unwrap_or(content);
        let raws = self.find(path, content);
        self.report(content, &raws)
    }

    /// Scan text that is not a file (an environment entry, a history line)
    /// without the binary or size checks.
    pub fn scan_text(&self, text: &str) -> Vec<Secret> {
        let raws = self.find("", text.as_bytes());
        self.report(text.as_bytes(), &raws)
    }

    /// `text` with every secret the rules find replaced by its redacted form
    /// (for image config values and history shown in reports).
    pub fn redact_text(&self, text: &str) -> String {
        let bytes = text.as_bytes();
        let raws = self.find("", bytes);
        if raws.is_empty() {
            return text.to_string();
        }
        let ranges: Vec<Range<usize>> = raws.iter().map(|r| r.secret.clone()).collect();
        let mut out = String::new();
        let mut at = 0;
        for r in &ranges {
            out.push_str(&String::from_utf8_lossy(
                bytes.get(at..r.start).unwrap_or_default(),
            ));
            out.push_str(&redact_secret(&String::from_utf8_lossy(
                bytes.get(r.clone()).unwrap_or_default(),
            )));
            at = r.end;
        }
        out.push_str(&String::from_utf8_lossy(
            bytes.get(at..).unwrap_or_default(),
        ));
        out
    }

    /// Candidate regions per rule, merged, then regex + validation.
    fn find(&self, path: &str, text: &[u8]) -> Vec<Raw> {
        let mut regions: Vec<Vec<Range<usize>>> = vec![Vec::new(); self.rules.len()];
        for (i, r) in self.rules.iter().enumerate() {
            if r.whole_file
                && let Some(v) = regions.get_mut(i)
            {
                v.push(0..text.len());
            }
        }
        if let Some(ac) = &self.keywords {
            for m in ac.find_overlapping_iter(text) {
                let Some(rules) = self.keyword_rules.get(m.pattern().as_usize()) else {
                    continue;
                };
                for &ri in rules {
                    let (Some(rule), Some(list)) = (self.rules.get(ri), regions.get_mut(ri)) else {
                        continue;
                    };
                    let reg = region(text, m.start(), m.end(), rule.region);
                    match list.last_mut() {
                        Some(last) if reg.start <= last.end => last.end = last.end.max(reg.end),
                        _ => list.push(reg),
                    }
                }
            }
        }
        let mut accepted: Vec<Raw> = Vec::new();
        for (ri, rule) in self.rules.iter().enumerate() {
            let Some(list) = regions.get(ri) else {
                continue;
            };
            if list.is_empty() {
                continue;
            }
            if !rule.paths.is_empty() && !rule.paths.iter().any(|p| p.is_match(path.as_bytes())) {
                continue;
            }
            // Overlapping-end merging above is per hit order; normalise.
            let mut list = list.clone();
            list.sort_by_key(|r| r.start);
            let mut merged: Vec<Range<usize>> = Vec::new();
            for r in list {
                match merged.last_mut() {
                    Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                    _ => merged.push(r),
                }
            }
            for reg in merged {
                let Some(hay) = text.get(reg.clone()) else {
                    continue;
                };
                let Some(re) = rule.re() else { continue };
                for caps in re.regex.captures_iter(hay) {
                    let (Some(whole), Some(secret)) = (caps.get(0), caps.get(rule.secret_group()))
                    else {
                        continue;
                    };
                    let whole_abs = reg.start + whole.start()..reg.start + whole.end();
                    let secret_abs = reg.start + secret.start()..reg.start + secret.end();
                    if accepted
                        .iter()
                        .any(|a| a.secret.start < secret_abs.end && secret_abs.start < a.secret.end)
                    {
                        continue;
                    }
                    let (Ok(secret_s), Ok(whole_s), Ok(region_s)) = (
                        std::str::from_utf8(secret.as_bytes()),
                        std::str::from_utf8(whole.as_bytes()),
                        std::str::from_utf8(hay),
                    ) else {
                        // Regions cut inside a multi-byte character are
                        // checked on a lossy copy instead.
                        if !self.accept_lossy(rule, &caps, hay, secret_abs.end, text) {
                            continue;
                        }
                        accepted.push(Raw {
                            rule: ri,
                            whole: whole_abs,
                            secret: secret_abs,
                        });
                        continue;
                    };
                    let key = rule
                        .key_group()
                        .and_then(|g| caps.get(g))
                        .and_then(|m| std::str::from_utf8(m.as_bytes()).ok())
                        .unwrap_or_default();
                    let hit = Hit {
                        secret: secret_s,
                        whole: whole_s,
                        key,
                        region: region_s,
                        next: text.get(secret_abs.end).copied().unwrap_or(0),
                    };
                    if !self.accept(rule, &hit) {
                        continue;
                    }
                    accepted.push(Raw {
                        rule: ri,
                        whole: whole_abs,
                        secret: secret_abs,
                    });
                }
            }
        }
        accepted.sort_by_key(|r| (r.secret.start, r.rule));
        accepted
    }

    fn accept(&self, rule: &Compiled, hit: &Hit<'_>) -> bool {
        if hit.secret.trim().is_empty() {
            return false;
        }
        if let Some(check) = rule.check
            && !check(hit)
        {
            return false;
        }
        if let Some(min) = rule.min_entropy
            && entropy(hit.secret) < min
        {
            return false;
        }
        !self
            .allow_values
            .iter()
            .any(|r| r.is_match(hit.secret.as_bytes()))
    }

    fn accept_lossy(
        &self,
        rule: &Compiled,
        caps: &regex::bytes::Captures<'_>,
        hay: &[u8],
        secret_end: usize,
        text: &[u8],
    ) -> bool {
        let get = |g: usize| {
            caps.get(g)
                .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
                .unwrap_or_default()
        };
        let secret = get(rule.secret_group());
        let whole = get(0);
        let key = rule.key_group().map(get).unwrap_or_default();
        let region = String::from_utf8_lossy(hay);
        let hit = Hit {
            secret: &secret,
            whole: &whole,
            key: &key,
            region: &region,
            next: text.get(secret_end).copied().unwrap_or(0),
        };
        self.accept(rule, &hit)
    }

    fn report(&self, text: &[u8], raws: &[Raw]) -> Vec<Secret> {
        let secrets: Vec<Range<usize>> = raws.iter().map(|r| r.secret.clone()).collect();
        let mut lines = LineCounter::default();
        raws.iter()
            .filter_map(|raw| {
                let rule = self.rules.get(raw.rule)?;
                let start_line = lines.line_of(text, raw.whole.start);
                let end_line = lines.line_of_from(text, start_line, raw.whole.start, raw.whole.end);
                Some(Secret {
                    rule_id: rule.id.clone(),
                    category: rule.category.clone(),
                    severity: rule.severity,
                    title: rule.title.clone(),
                    start_line,
                    end_line,
                    match_text: render_match(text, raw.whole.clone(), raw.secret.clone(), &secrets),
                    layer: None,
                    removed_in: None,
                })
            })
            .collect()
    }
}

/// Line numbers for increasing offsets without rescanning from the start.
#[derive(Default)]
struct LineCounter {
    at: usize,
    line: usize,
}

impl LineCounter {
    fn line_of(&mut self, text: &[u8], offset: usize) -> usize {
        if offset < self.at || self.line == 0 {
            self.at = 0;
            self.line = 1;
        }
        let end = offset.min(text.len());
        let seg = text.get(self.at..end).unwrap_or_default();
        self.line += memchr::memchr_iter(b'\n', seg).count();
        self.at = end;
        self.line
    }

    fn line_of_from(&self, text: &[u8], line: usize, from: usize, to: usize) -> usize {
        // The match ends at `to` (exclusive): count newlines strictly inside.
        let last = to.saturating_sub(1).max(from);
        let seg = text.get(from..last.min(text.len())).unwrap_or_default();
        line + memchr::memchr_iter(b'\n', seg).count()
    }
}

fn fingerprint(config: &SecretsConfig) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(format!("v{RULESET_VERSION}\n{config:?}\n"));
    for r in BUILTIN {
        h.update(format!("{}\t{}\n", r.id, r.regex));
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn builtin(r: &Rule) -> Result<Compiled, ConfigError> {
    Ok(Compiled {
        id: r.id.to_string(),
        category: r.category.to_string(),
        title: r.title.to_string(),
        severity: r.severity,
        pattern: r.regex,
        re: std::sync::OnceLock::new(),
        region: r.region,
        check: r.check,
        min_entropy: None,
        paths: Vec::new(),
        whole_file: false,
    })
}

/// The candidate region around a keyword hit `start..end`.
fn region(text: &[u8], start: usize, end: usize, region: Region) -> Range<usize> {
    match region {
        Region::Bytes { before, after } => {
            start.saturating_sub(before)..end.saturating_add(after).min(text.len())
        }
        Region::Line { reach } => {
            let lo = start.saturating_sub(reach);
            let hi = end.saturating_add(reach).min(text.len());
            let line_start = text
                .get(lo..start)
                .and_then(|s| memchr::memrchr(b'\n', s))
                .map_or(lo, |i| lo + i + 1);
            let line_end = text
                .get(end..hi)
                .and_then(|s| memchr::memchr(b'\n', s))
                .map_or(hi, |i| end + i);
            line_start..line_end
        }
    }
}

/// The secret scanner rides the streaming pass over every layer (the hook
/// is plain data in `bulkhead-types`, so this needs no image crate).
impl bulkhead_types::layer::ContentScanner for Scanner {
    fn wants(&self, entry: &bulkhead_types::layer::Entry) -> bool {
        entry.kind == bulkhead_types::layer::EntryKind::File
            && Scanner::wants(self, &entry.path, entry.size)
    }
    fn sniff_len(&self) -> usize {
        SNIFF_LEN
    }
    fn accepts(&self, head: &[u8]) -> bool {
        !is_binary(head)
    }
    fn scan(&self, entry: &bulkhead_types::layer::Entry, content: &[u8]) -> Vec<Secret> {
        Scanner::scan(self, &entry.path, content)
    }
    /// Findings are redacted, so layer results may be cached under the
    /// rule set version and configuration.
    fn cache_key(&self) -> Option<String> {
        Some(format!("secrets:{}", self.fingerprint()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_pattern_compiles() {
        // Built-in regexes compile lazily: a broken one would silently
        // match nothing, so each is compiled here.
        for r in BUILTIN {
            let re = compile(r.id, r.regex).unwrap_or_else(|e| panic!("{}: {e}", r.id));
            assert!(groups(&re).0 < re.captures_len(), "{}", r.id);
        }
    }
}
