//! Escaping and the [`Html`] type: markup that is safe to place in a page.
//!
//! The one rule: a string from input (an image, a registry, a daemon, a
//! Dockerfile or a Compose file) reaches the page only through [`escape`]
//! (or [`Html::text`], [`el`]'s attribute values, which call it). It is
//! first cleaned by the project's terminal-safety rule
//! ([`bulkhead_types::text::terminal_safe`]: C0/C1 controls, DEL and bidi
//! controls become `?`, as in every text format), then `&`, `<`, `>`, `"`
//! and `'` become character references, so the same escaped string is safe
//! both as element text and as a quoted attribute value. Nothing from input
//! is ever written into a `<script>` or `<style>` body, an event-handler
//! attribute, a `style` attribute or a URL attribute: [`el`] refuses those
//! attribute names.

use bulkhead_types::text::{terminal_safe, terminal_safe_multiline};
use std::borrow::Cow;
use std::fmt;

/// `s` made safe for element text and for a quoted (`"` or `'`) attribute
/// value: terminal-safe (newlines become `?` too), then HTML-escaped.
/// U+2028 and U+2029 are written as character references, so the file
/// holds no raw line separators that a JavaScript or JSON reader could
/// trip on. Borrows when nothing changes.
pub fn escape(s: &str) -> Cow<'_, str> {
    encode(terminal_safe(s))
}

/// [`escape`], but newlines are kept: for text shown in a `<pre>` block or
/// a cell that may span lines.
pub fn escape_multiline(s: &str) -> Cow<'_, str> {
    encode(terminal_safe_multiline(s))
}

fn encode(clean: Cow<'_, str>) -> Cow<'_, str> {
    let needs_separators = clean.contains(['\u{2028}', '\u{2029}']);
    // html-escape's quoted-attribute encoder escapes & < > " ' (the
    // characters that matter in both text and attribute contexts).
    let escaped = match clean {
        Cow::Borrowed(b) => html_escape::encode_quoted_attribute(b),
        Cow::Owned(o) => Cow::Owned(html_escape::encode_quoted_attribute(&o).into_owned()),
    };
    if !needs_separators {
        return escaped;
    }
    Cow::Owned(
        escaped
            .replace('\u{2028}', "&#x2028;")
            .replace('\u{2029}', "&#x2029;"),
    )
}

/// Markup that is safe to place in a page: built from literal markup of
/// this program ([`Html::trusted`]) and escaped text ([`Html::text`],
/// [`el`]), never from a raw input string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Html(String);

impl Html {
    /// Empty markup.
    pub fn new() -> Html {
        Html(String::new())
    }

    /// Escaped text (see [`escape`]).
    pub fn text(s: &str) -> Html {
        Html(escape(s).into_owned())
    }

    /// Escaped text keeping newlines (see [`escape_multiline`]).
    pub fn text_multiline(s: &str) -> Html {
        Html(escape_multiline(s).into_owned())
    }

    /// Markup written in this program's source. Only literals qualify: the
    /// `'static` bound keeps input strings out.
    pub fn trusted(markup: &'static str) -> Html {
        Html(markup.to_string())
    }

    /// A number (or anything whose `Display` is markup-free by
    /// construction, such as integers and floats).
    pub fn number(n: impl NumberLike) -> Html {
        Html(n.to_string())
    }

    /// Appends markup.
    pub fn push(&mut self, other: Html) -> &mut Self {
        self.0.push_str(&other.0);
        self
    }

    /// Appends escaped text.
    pub fn push_text(&mut self, s: &str) -> &mut Self {
        self.0.push_str(&escape(s));
        self
    }

    /// Appends literal markup of this program.
    pub fn push_trusted(&mut self, markup: &'static str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The markup.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The markup, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromIterator<Html> for Html {
    fn from_iter<I: IntoIterator<Item = Html>>(iter: I) -> Html {
        let mut out = Html::new();
        for h in iter {
            out.push(h);
        }
        out
    }
}

/// Types whose `Display` never contains markup characters.
pub trait NumberLike: fmt::Display {}
impl NumberLike for usize {}
impl NumberLike for u64 {}
impl NumberLike for u32 {}
impl NumberLike for u8 {}
impl NumberLike for i64 {}
impl NumberLike for i32 {}
impl NumberLike for f64 {}

/// Attribute names [`el`] never writes: event handlers (`on…`), inline
/// style, and the attributes that load or navigate to a URL. Their names
/// are literals of this program, so this guards against a slip in the
/// code, not against input.
fn attribute_allowed(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !(lower.starts_with("on")
        || matches!(
            lower.as_str(),
            "style"
                | "src"
                | "srcset"
                | "srcdoc"
                | "href"
                | "xlink:href"
                | "action"
                | "formaction"
                | "data"
                | "poster"
                | "background"
        ))
}

/// One element: `<tag attr="value"…>body</tag>`. Attribute values are
/// escaped ([`escape`]); names and the tag are literals of this program.
/// An attribute [`attribute_allowed`] refuses is left out.
pub fn el(tag: &'static str, attrs: &[(&'static str, &str)], body: Html) -> Html {
    let mut out = String::with_capacity(body.0.len() + 16 + tag.len() * 2);
    out.push('<');
    out.push_str(tag);
    push_attrs(&mut out, attrs);
    out.push('>');
    out.push_str(&body.0);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
    Html(out)
}

/// A void element (`<meta …>`, `<br>`): no body, no end tag.
pub fn void_el(tag: &'static str, attrs: &[(&'static str, &str)]) -> Html {
    let mut out = String::with_capacity(16 + tag.len());
    out.push('<');
    out.push_str(tag);
    push_attrs(&mut out, attrs);
    out.push('>');
    Html(out)
}

fn push_attrs(out: &mut String, attrs: &[(&'static str, &str)]) {
    for (name, value) in attrs {
        if !attribute_allowed(name) {
            continue;
        }
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        out.push_str(&escape(value));
        out.push('"');
    }
}

/// Text in an element: `el(tag, attrs, Html::text(s))`.
pub fn text_el(tag: &'static str, attrs: &[(&'static str, &str)], s: &str) -> Html {
    el(tag, attrs, Html::text(s))
}
