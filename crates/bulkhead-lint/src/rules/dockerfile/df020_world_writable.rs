//! chmod 777 and other world-writable modes.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-020", title: "World-writable permissions", severity: High, kind: Dockerfile,
    rationale: "World-writable files and folders (chmod 777, o+w) let any process in the container, whatever its user, replace binaries, configuration or code that others execute.",
    fix: "Give ownership to the user that needs write access (`COPY --chown=10001:10001`) and use 755/644 or tighter; 1777 (sticky) is acceptable only for tmp folders.",
    hadolint: [], trivy: [], dockle: [], cis: "",
    check: check,
}

/// Whether a chmod mode grants write to others (sticky 1777-style excluded).
pub fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_ascii_digit()) {
        let digits: Vec<u32> = mode.chars().filter_map(|c| c.to_digit(8)).collect();
        if digits.len() != mode.len() {
            return false;
        }
        let other = digits.last().copied().unwrap_or(0);
        let sticky = digits.len() == 4 && digits.first().is_some_and(|d| d & 1 == 1);
        return other & 2 == 2 && !sticky;
    }
    mode.split(',').any(|clause| {
        let (who, rest) = clause.split_at(clause.find(['+', '=']).unwrap_or(clause.len()));
        (who.contains('o') || who.contains('a')) && rest.contains('w')
    })
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in &cx.df.instructions {
        if (i.keyword == "COPY" || i.keyword == "ADD")
            && let Some(m) = i.flag("chmod").and_then(|f| f.value.clone())
            && world_writable(&m)
        {
            out.at(
                i.span,
                format!("{} --chmod={m} makes files world-writable", i.keyword),
                format!("--chmod={m}"),
            );
        }
    }
    for r in &cx.runs {
        for c in &r.commands {
            if c.program() != "chmod" {
                continue;
            }
            if let Some(m) = c
                .argv()
                .iter()
                .skip(1)
                .find(|w| !w.starts_with('-') || w.starts_with("-w"))
                .filter(|m| world_writable(m))
            {
                out.at(
                    r.inst.span,
                    format!("chmod {m} makes files world-writable"),
                    c.words.join(" "),
                );
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::world_writable;
    #[test]
    fn modes() {
        assert!(
            world_writable("777")
                && world_writable("0666")
                && world_writable("o+w")
                && world_writable("a+rwx")
        );
        assert!(
            !world_writable("755")
                && !world_writable("1777")
                && !world_writable("u+w")
                && !world_writable("+x")
        );
    }
}
