//! A bounded YAML loader on top of `yaml-rust2`'s event parser, shared by
//! the Compose loader and the Kubernetes manifests (`crate::kubernetes`).
//!
//! Why not `YamlLoader`/serde: they expand aliases by cloning without limit
//! (a "billion laughs" file of a few hundred bytes grows to gigabytes), keep
//! no line numbers and recurse on nesting. This builder keeps the line and
//! column of every node, caps depth, node count and alias expansions, and
//! applies `<<` merge keys. [`load`] reads the first document of a stream,
//! [`load_all`] every document (`---`), under one budget for the stream.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Maximum nesting of sequences/mappings.
pub const MAX_DEPTH: usize = 64;
/// Maximum nodes after alias expansion.
pub const MAX_NODES: usize = 200_000;
/// Maximum alias uses.
pub const MAX_ALIASES: usize = 10_000;

/// A YAML node with its position (1-based line and column).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: usize,
    pub col: usize,
    /// For a mapping value: the line of its key (else equal to `line`).
    pub key_line: usize,
}

/// A YAML value. Scalars stay text; `plain` tells unquoted scalars (which
/// may mean null/bool/number) from quoted ones.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Scalar { text: String, plain: bool },
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// Scalar text (`None` for null, sequences and mappings).
    pub fn str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }
    /// Mapping entries (empty for other kinds).
    pub fn entries(&self) -> &[(String, Node)] {
        match &self.value {
            Value::Map(m) => m,
            _ => &[],
        }
    }
    /// Sequence items (empty for other kinds).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(s) => s,
            _ => &[],
        }
    }
    /// Number of nodes in this subtree.
    pub fn size(&self) -> usize {
        1 + match &self.value {
            Value::Seq(s) => s.iter().map(Node::size).sum(),
            Value::Map(m) => m.iter().map(|(_, v)| 1 + v.size()).sum(),
            _ => 0,
        }
    }
    fn null(line: usize, col: usize) -> Node {
        Node {
            value: Value::Null,
            line,
            col,
            key_line: line,
        }
    }
}

/// A YAML error with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub line: usize,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        anchor: usize,
        line: usize,
        col: usize,
    },
    Map {
        entries: Vec<(String, Node)>,
        key: Option<(String, usize)>,
        anchor: usize,
        line: usize,
        col: usize,
    },
}

/// Load the first document of `src` (a stream without one is null).
pub fn load(src: &str) -> Result<Node, YamlError> {
    let docs = load_docs(src, true)?;
    Ok(docs.into_iter().next().unwrap_or_else(|| Node::null(1, 1)))
}

/// Load every document of `src`, in order (an empty stream gives none; an
/// empty document between two `---` lines is null). The node and alias
/// caps hold for the whole stream, not per document, so many small
/// documents cannot add up past them; anchors do not cross documents.
pub fn load_all(src: &str) -> Result<Vec<Node>, YamlError> {
    load_docs(src, false)
}

fn load_docs(src: &str, first_only: bool) -> Result<Vec<Node>, YamlError> {
    let mut parser = Parser::new_from_str(src);
    let mut docs: Vec<Node> = Vec::new();
    let mut doc_line = 1usize;
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: std::collections::HashMap<usize, Node> = std::collections::HashMap::new();
    let mut nodes = 0usize;
    let mut aliases = 0usize;
    let mut root: Option<Node> = None;
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| YamlError {
            message: format!("invalid YAML: {}", e.info()),
            line: e.marker().line(),
        })?;
        let (line, col) = (mark.line(), mark.col() + 1);
        let node = match ev {
            Event::StreamEnd => break,
            Event::DocumentEnd => {
                docs.push(root.take().unwrap_or_else(|| Node::null(doc_line, 1)));
                if first_only {
                    break;
                }
                anchors.clear();
                // Each document counts, so a stream of empty ones is bounded.
                nodes += 1;
                if nodes > MAX_NODES {
                    return Err(YamlError {
                        message: format!("YAML has more than {MAX_NODES} nodes: file too large"),
                        line,
                    });
                }
                continue;
            }
            Event::DocumentStart => {
                doc_line = line;
                continue;
            }
            Event::Nothing | Event::StreamStart => continue,
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        message: format!(
                            "YAML nested deeper than {MAX_DEPTH} levels: not a Compose file or Kubernetes manifest"
                        ),
                        line,
                    });
                }
                stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq {
                        items: Vec::new(),
                        anchor,
                        line,
                        col,
                    }
                } else {
                    Frame::Map {
                        entries: Vec::new(),
                        key: None,
                        anchor,
                        line,
                        col,
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else {
                    return Err(YamlError {
                        message: "unbalanced YAML structure".into(),
                        line,
                    });
                };
                let (node, anchor) = match frame {
                    Frame::Seq {
                        items,
                        anchor,
                        line,
                        col,
                    } => (
                        Node {
                            value: Value::Seq(items),
                            line,
                            col,
                            key_line: line,
                        },
                        anchor,
                    ),
                    Frame::Map {
                        entries,
                        anchor,
                        line,
                        col,
                        ..
                    } => (
                        Node {
                            value: Value::Map(apply_merge(entries)),
                            line,
                            col,
                            key_line: line,
                        },
                        anchor,
                    ),
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Scalar(text, style, anchor, _) => {
                nodes += 1;
                let plain = style == TScalarStyle::Plain;
                let value = if plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL")
                {
                    Value::Null
                } else {
                    Value::Scalar { text, plain }
                };
                let node = Node {
                    value,
                    line,
                    col,
                    key_line: line,
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Alias(id) => {
                aliases += 1;
                if aliases > MAX_ALIASES {
                    return Err(YamlError {
                        message: format!(
                            "more than {MAX_ALIASES} YAML aliases: refusing a possible alias bomb"
                        ),
                        line,
                    });
                }
                let Some(target) = anchors.get(&id) else {
                    return Err(YamlError {
                        message: "alias to an unknown anchor".into(),
                        line,
                    });
                };
                nodes += target.size();
                if nodes > MAX_NODES {
                    return Err(YamlError {
                        message: format!(
                            "YAML expands to more than {MAX_NODES} nodes through aliases: refusing a possible alias bomb"
                        ),
                        line,
                    });
                }
                target.clone()
            }
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(YamlError {
                message: format!("YAML has more than {MAX_NODES} nodes: file too large"),
                line,
            });
        }
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let k = match &node.value {
                        Value::Scalar { text, .. } => text.clone(),
                        Value::Null => String::new(),
                        _ => {
                            return Err(YamlError {
                                message: "a mapping key is not a string".into(),
                                line: node.line,
                            });
                        }
                    };
                    *key = Some((k, node.line));
                }
                Some((k, kl)) => {
                    let mut node = node;
                    node.key_line = kl;
                    entries.push((k, node));
                }
            },
        }
    }
    if let Some(r) = root {
        docs.push(r);
    }
    Ok(docs)
}

/// `<<: *base` / `<<: [*a, *b]`: copy keys not set explicitly.
fn apply_merge(entries: Vec<(String, Node)>) -> Vec<(String, Node)> {
    if !entries.iter().any(|(k, _)| k == "<<") {
        return entries;
    }
    let (merges, mut own): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, _)| k == "<<");
    for (_, m) in merges {
        let sources: Vec<Node> = match m.value {
            Value::Seq(s) => s,
            other => vec![Node {
                value: other,
                line: m.line,
                col: m.col,
                key_line: m.key_line,
            }],
        };
        for s in sources {
            if let Value::Map(kv) = s.value {
                for (k, v) in kv {
                    if !own.iter().any(|(o, _)| *o == k) {
                        own.push((k, v));
                    }
                }
            }
        }
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_merge() {
        let n = load("a: &x\n  b: 1\nc:\n  <<: *x\n  d: 'q'\n").unwrap();
        let c = n.get("c").unwrap();
        assert_eq!(c.line, 4);
        assert_eq!(c.get("b").unwrap().str(), Some("1"));
        assert_eq!(c.get("d").unwrap().line, 5);
    }

    #[test]
    fn bomb_refused() {
        let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            s.push_str(&format!(
                "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = c;
        }
        let e = load(&s).unwrap_err();
        assert!(e.message.contains("alias bomb"), "{}", e.message);
    }

    #[test]
    fn every_document_with_absolute_lines() {
        let docs = load_all("a: 1\n---\nb: &x [1]\n---\n---\nc: 2\n...\n").unwrap();
        assert_eq!(docs.len(), 4, "{docs:?}");
        assert_eq!(docs[0].get("a").unwrap().line, 1);
        assert_eq!(docs[1].get("b").unwrap().line, 3);
        assert_eq!(docs[2].value, Value::Null);
        assert_eq!(docs[3].get("c").unwrap().line, 6);
        assert!(load_all("").unwrap().is_empty());
        // `load` stops at the first document: later garbage is not read.
        assert_eq!(
            load("a: 1\n---\n[: ]]\n").unwrap().get("a").unwrap().str(),
            Some("1")
        );
        // Anchors do not cross documents.
        let e = load_all("a: &x 1\n---\nb: *x\n").unwrap_err();
        assert!(e.message.contains("unknown anchor"), "{}", e.message);
    }

    #[test]
    fn the_budget_covers_the_whole_stream() {
        // Each document is small; together they pass the node cap.
        let doc = format!("[{}]\n", vec!["x"; 999].join(","));
        let s = vec![doc; MAX_NODES / 1000 + 2].join("---\n");
        let e = load_all(&s).unwrap_err();
        assert!(e.message.contains("more than"), "{}", e.message);
        // So does a stream of empty documents.
        let e = load_all(&"---\n".repeat(MAX_NODES + 1)).unwrap_err();
        assert!(e.message.contains("more than"), "{}", e.message);
    }

    #[test]
    fn deep_refused() {
        let s = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(load(&s).unwrap_err().message.contains("deeper"));
        assert!(load(&"[".repeat(100_000)).is_err());
    }
}
