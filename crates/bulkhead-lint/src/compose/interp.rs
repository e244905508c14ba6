//! Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`,
//! `${VAR:?err}`, `${VAR?err}`, `${VAR:+x}`, `${VAR+x}`, `$$` → `$`.
//! Hand-written: the rules are a dozen lines and the crates that exist
//! (`shellexpand`, `envsubst`) do not support the `?`/`+` forms or `$$`.

use std::collections::BTreeMap;

/// Interpolate `s`. Errors come from `${VAR?msg}` with VAR unset.
pub fn interpolate(s: &str, env: &BTreeMap<String, String>) -> Result<String, String> {
    inner(s, env, 0)
}

fn inner(s: &str, env: &BTreeMap<String, String>, depth: usize) -> Result<String, String> {
    if depth > 16 || !s.contains('$') {
        return Ok(s.to_string());
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('$') => {
                out.push('$');
                i += 2;
            }
            Some('{') => {
                let Some(close) = crate::vars::matching_brace(&chars, i + 1) else {
                    return Err(format!("unterminated ${{ in {s:?}"));
                };
                let body: String = chars.get(i + 2..close).unwrap_or(&[]).iter().collect();
                out.push_str(&braced(&body, env, depth)?);
                i = close + 1;
            }
            Some(&n) if n.is_ascii_alphabetic() || n == '_' => {
                let j = crate::vars::identifier_end(&chars, i + 1);
                let name: String = chars.get(i + 1..j).unwrap_or(&[]).iter().collect();
                out.push_str(env.get(&name).map(String::as_str).unwrap_or(""));
                i = j;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    Ok(out)
}

fn braced(body: &str, env: &BTreeMap<String, String>, depth: usize) -> Result<String, String> {
    let n = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    let name = body.get(..n).unwrap_or("");
    let op = body.get(n..).unwrap_or("");
    if name.is_empty() {
        return Err(format!("invalid interpolation ${{{body}}}"));
    }
    let val = env.get(name);
    let set_nonempty = val.is_some_and(|v| !v.is_empty());
    let word = |w: &str| inner(w, env, depth + 1);
    if op.is_empty() {
        Ok(val.cloned().unwrap_or_default())
    } else if let Some(w) = op.strip_prefix(":-") {
        if set_nonempty {
            Ok(val.cloned().unwrap_or_default())
        } else {
            word(w)
        }
    } else if let Some(w) = op.strip_prefix('-') {
        match val {
            Some(v) => Ok(v.clone()),
            None => word(w),
        }
    } else if let Some(w) = op.strip_prefix(":?") {
        if set_nonempty {
            Ok(val.cloned().unwrap_or_default())
        } else {
            Err(format!("required variable {name} is missing a value: {w}"))
        }
    } else if let Some(w) = op.strip_prefix('?') {
        match val {
            Some(v) => Ok(v.clone()),
            None => Err(format!("required variable {name} is missing a value: {w}")),
        }
    } else if let Some(w) = op.strip_prefix(":+") {
        if set_nonempty {
            word(w)
        } else {
            Ok(String::new())
        }
    } else if let Some(w) = op.strip_prefix('+') {
        if val.is_some() {
            word(w)
        } else {
            Ok(String::new())
        }
    } else {
        Err(format!("invalid interpolation format ${{{body}}}"))
    }
}

/// Parse a `.env` file: `KEY=VALUE` lines, `#` comments, optional `export `,
/// quotes removed.
pub fn parse_dotenv(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let l = l.strip_prefix("export ").unwrap_or(l);
        let Some((k, v)) = l.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = if (v.starts_with('"') && v.ends_with('"')
            || v.starts_with('\'') && v.ends_with('\''))
            && v.len() >= 2
        {
            v.get(1..v.len() - 1).unwrap_or("").to_string()
        } else {
            v.split(" #").next().unwrap_or(v).trim().to_string()
        };
        out.insert(k.trim().to_string(), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let mut env = BTreeMap::new();
        env.insert("A".to_string(), "1".to_string());
        env.insert("E".to_string(), String::new());
        assert_eq!(interpolate("$A ${A} $$A", &env).unwrap(), "1 1 $A");
        assert_eq!(interpolate("${E:-d} ${E-d} ${U-d}", &env).unwrap(), "d  d");
        assert_eq!(interpolate("${A:+x}${U:+y}", &env).unwrap(), "x");
        assert!(
            interpolate("${U?need U}", &env)
                .unwrap_err()
                .contains("need U")
        );
        assert!(interpolate("${E:?x}", &env).is_err());
        assert_eq!(interpolate("${U:-${A}}", &env).unwrap(), "1");
        assert!(interpolate("${", &env).is_err());
        let d = parse_dotenv("# c\nexport A=\"x y\"\nB=2 # n\n");
        assert_eq!(d.get("A").unwrap(), "x y");
        assert_eq!(d.get("B").unwrap(), "2");
    }
}
