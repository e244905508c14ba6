//! Maven versions, ordered like Maven 3.8's `ComparableVersion` (checked against
//! maven-artifact 3.8.7 from Debian's `maven` package on every vector in
//! `tests/vectors/maven.tsv`).
//!
//! Hand-written: no maintained Rust crate reproduces `ComparableVersion` (its nested
//! lists, trailing-null normalisation and cross-type rules). The parse and the
//! comparison are iterative (an explicit stack instead of recursion over the nested
//! lists), so deeply nested input cannot overflow the stack.
//!
//! Maven 3.8 semantics: `ga`, `final` and `release` are aliases of the empty qualifier,
//! `cr` of `rc`; a list compared with a missing item looks at all its items (MNG-6964);
//! a qualifier that follows other items (`1.0.0.beta1`, trailing `1.abc`) opens a
//! sub-list, so `.X` orders like `-X`.
//! Maven 3.9 changed some corner cases; this follows 3.8. Divergence: only ASCII digits
//! count as digits (Java also treats other Unicode decimal digits as digits).

use std::cmp::Ordering;

use crate::util::{check_input, cmp_digits};
use crate::{Scheme, VersionError};

/// Qualifier order; unknown qualifiers come after all of these, compared lexically.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// Comparable key of the empty qualifier (a release).
const RELEASE_KEY: &str = "5";

#[derive(Debug, Clone)]
enum Item {
    /// Integer item: size class (0 = int, 1 = long, 2 = big integer, as Maven picks them
    /// from the digit count) and the digits without leading zeros.
    Num(u8, String),
    /// String item, stored as its comparable key (`"0"`..`"6"` or `"7-<qualifier>"`).
    Str(String),
    /// Nested list (index into the version's list arena).
    List(usize),
}

/// A parsed Maven version.
#[derive(Debug, Clone)]
pub struct MavenVersion {
    text: String,
    /// List arena; index 0 is the top-level list.
    lists: Vec<Vec<Item>>,
}

fn num_item(digits: &str) -> Item {
    // Maven's stripLeadingZeroes keeps an all-zero string as is, and the size class is
    // chosen from that length (so "0000000000" is a long-sized zero).
    let stripped = digits.trim_start_matches('0');
    let class_len = if stripped.is_empty() {
        digits.len()
    } else {
        stripped.len()
    };
    let class = match class_len {
        0..=9 => 0,
        10..=18 => 1,
        _ => 2,
    };
    Item::Num(class, stripped.to_owned())
}

fn str_item(value: &str, followed_by_digit: bool) -> Item {
    let value = match (followed_by_digit, value) {
        (true, "a") => "alpha",
        (true, "b") => "beta",
        (true, "m") => "milestone",
        (_, "ga" | "final" | "release") => "",
        (_, "cr") => "rc",
        (_, v) => v,
    };
    Item::Str(match QUALIFIERS.iter().position(|q| *q == value) {
        Some(i) => i.to_string(),
        None => format!("{}-{value}", QUALIFIERS.len()),
    })
}

fn parse_item(is_digit: bool, s: &str) -> Item {
    if is_digit {
        num_item(s)
    } else {
        str_item(s, false)
    }
}

fn is_null(item: &Item, lists: &[Vec<Item>]) -> bool {
    match item {
        Item::Num(_, d) => d.is_empty(),
        Item::Str(k) => k == RELEASE_KEY,
        Item::List(id) => lists.get(*id).is_none_or(Vec::is_empty),
    }
}

impl MavenVersion {
    /// Parse any string (Maven accepts everything); only empty, over-long or
    /// NUL-containing input is refused.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_input(Scheme::Maven, input)?;
        let lower = input.to_lowercase();
        let b = lower.as_bytes();
        let sub = |from: usize, to: usize| lower.get(from..to).unwrap_or_default();
        let mut lists: Vec<Vec<Item>> = vec![Vec::new()];
        let mut cur = 0usize;
        let mut is_digit = false;
        let mut start = 0usize;
        let push = |lists: &mut Vec<Vec<Item>>, cur: usize, item: Item| {
            if let Some(l) = lists.get_mut(cur) {
                l.push(item);
            }
        };
        let open = |lists: &mut Vec<Vec<Item>>, cur: &mut usize| {
            let id = lists.len();
            lists.push(Vec::new());
            if let Some(l) = lists.get_mut(*cur) {
                l.push(Item::List(id));
            }
            *cur = id;
        };
        for (i, &c) in b.iter().enumerate() {
            if c == b'.' || c == b'-' {
                let item = if i == start {
                    Item::Num(0, String::new())
                } else {
                    parse_item(is_digit, sub(start, i))
                };
                push(&mut lists, cur, item);
                start = i + 1;
                if c == b'-' {
                    open(&mut lists, &mut cur);
                }
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    // "1.0.0.X1 < 1.0.0-X2": a qualifier after items starts a sub-list
                    if lists.get(cur).is_some_and(|l| !l.is_empty()) {
                        open(&mut lists, &mut cur);
                    }
                    push(&mut lists, cur, str_item(sub(start, i), true));
                    start = i;
                    open(&mut lists, &mut cur);
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    push(&mut lists, cur, num_item(sub(start, i)));
                    start = i;
                    open(&mut lists, &mut cur);
                }
                is_digit = false;
            }
        }
        if b.len() > start {
            // a trailing ".X" qualifier is treated as "-X"
            if !is_digit && lists.get(cur).is_some_and(|l| !l.is_empty()) {
                open(&mut lists, &mut cur);
            }
            push(&mut lists, cur, parse_item(is_digit, sub(start, b.len())));
        }
        // Normalise innermost (latest created) lists first: drop trailing null items,
        // stepping over non-empty nested lists.
        for id in (0..lists.len()).rev() {
            let mut list = lists.get_mut(id).map(std::mem::take).unwrap_or_default();
            let mut i = list.len();
            while i > 0 {
                i -= 1;
                let Some(item) = list.get(i) else { break };
                if is_null(item, &lists) {
                    list.remove(i);
                } else if !matches!(item, Item::List(_)) {
                    break;
                }
            }
            if let Some(slot) = lists.get_mut(id) {
                *slot = list;
            }
        }
        Ok(MavenVersion {
            text: input.to_owned(),
            lists,
        })
    }

    /// The version text as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn sign(o: Ordering, negate: bool) -> Ordering {
    if negate { o.reverse() } else { o }
}

fn utf16_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// One pending list comparison on the explicit stack.
enum Frame {
    /// List `l` of the left version against list `r` of the right version, at `idx`.
    Lists {
        l: usize,
        r: usize,
        idx: usize,
        negate: bool,
    },
    /// List `list` of one version (`left` or not) against a missing item, at `idx`.
    Null {
        left: bool,
        list: usize,
        idx: usize,
        negate: bool,
    },
}

/// `item.compareTo(null)`, or `Err(list id)` when that needs a nested walk.
fn vs_null(item: &Item) -> Result<Ordering, usize> {
    match item {
        Item::Num(_, d) => Ok(if d.is_empty() {
            Ordering::Equal
        } else {
            Ordering::Greater
        }),
        Item::Str(k) => Ok(utf16_cmp(k, RELEASE_KEY)),
        Item::List(id) => Err(*id),
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let mut stack = vec![Frame::Lists {
            l: 0,
            r: 0,
            idx: 0,
            negate: false,
        }];
        while let Some(frame) = stack.last_mut() {
            let (result, push) = match frame {
                Frame::Lists { l, r, idx, negate } => {
                    let negate = *negate;
                    let li = self.lists.get(*l).and_then(|x| x.get(*idx));
                    let ri = other.lists.get(*r).and_then(|x| x.get(*idx));
                    *idx += 1;
                    match (li, ri) {
                        (None, None) => {
                            stack.pop();
                            continue;
                        }
                        (None, Some(ri)) => match vs_null(ri) {
                            Ok(o) => (sign(o, !negate), None),
                            Err(id) => (
                                Ordering::Equal,
                                Some(Frame::Null {
                                    left: false,
                                    list: id,
                                    idx: 0,
                                    negate: !negate,
                                }),
                            ),
                        },
                        (Some(li), None) => match vs_null(li) {
                            Ok(o) => (sign(o, negate), None),
                            Err(id) => (
                                Ordering::Equal,
                                Some(Frame::Null {
                                    left: true,
                                    list: id,
                                    idx: 0,
                                    negate,
                                }),
                            ),
                        },
                        (Some(li), Some(ri)) => match (li, ri) {
                            (Item::Num(ca, da), Item::Num(cb, db)) => (
                                sign(
                                    ca.cmp(cb)
                                        .then_with(|| cmp_digits(da.as_bytes(), db.as_bytes())),
                                    negate,
                                ),
                                None,
                            ),
                            (Item::Str(a), Item::Str(b)) => (sign(utf16_cmp(a, b), negate), None),
                            (Item::List(a), Item::List(b)) => (
                                Ordering::Equal,
                                Some(Frame::Lists {
                                    l: *a,
                                    r: *b,
                                    idx: 0,
                                    negate,
                                }),
                            ),
                            // integer > list > string
                            (Item::Num(..), _) | (Item::List(_), Item::Str(_)) => {
                                (sign(Ordering::Greater, negate), None)
                            }
                            (Item::Str(_), _) | (Item::List(_), Item::Num(..)) => {
                                (sign(Ordering::Less, negate), None)
                            }
                        },
                    }
                }
                Frame::Null {
                    left,
                    list,
                    idx,
                    negate,
                } => {
                    let negate = *negate;
                    let owner = if *left { self } else { other };
                    let item = owner.lists.get(*list).and_then(|x| x.get(*idx));
                    *idx += 1;
                    match item {
                        None => {
                            stack.pop();
                            continue;
                        }
                        Some(item) => match vs_null(item) {
                            Ok(o) => (sign(o, negate), None),
                            Err(id) => (
                                Ordering::Equal,
                                Some(Frame::Null {
                                    left: *left,
                                    list: id,
                                    idx: 0,
                                    negate,
                                }),
                            ),
                        },
                    }
                }
            };
            if result != Ordering::Equal {
                return result;
            }
            if let Some(f) = push {
                stack.push(f);
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> MavenVersion {
        MavenVersion::parse(s).unwrap()
    }

    #[test]
    fn reference_orderings() {
        let chain = [
            "1-alpha",
            "1-beta",
            "1-milestone",
            "1-rc",
            "1-snapshot",
            "1",
            "1-sp",
            "1.1",
        ];
        for w in chain.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
        for same in ["1.0", "1.0.0", "1-0", "1.0-ga", "1-final", "1-release"] {
            assert_eq!(v("1"), v(same), "{same}");
        }
        assert_eq!(v("1-rc"), v("1-cr"));
        assert_eq!(v("1.0a1"), v("1.0-alpha-1"));
        assert!(v("1-foo2") < v("1-foo10"));
        assert!(v("1-0.alpha") < v("1"));
    }

    #[test]
    fn deep_nesting_is_not_recursive() {
        let deep = "1-".repeat(500) + "a";
        let x = v(&deep);
        let y = v(&("1-".repeat(500) + "b"));
        assert!(x < y);
        // [1, [1, …]] against [1]: the nested list starts with a non-zero number
        assert!(x > v("1"));
    }
}
