//! The `bulkhead` binary. Parses flags, builds settings, dispatches to a
//! command in `commands/`, and maps errors to the contract's exit codes:
//! 0 clean, 1 failing findings, 2 usage or input error, 3 internal error.

mod args;
mod commands;
mod output;
mod progress;

use clap::Parser;
use std::process::ExitCode;

/// An error that is Bulkhead's fault, not the input's: exit code 3.
#[derive(Debug)]
pub struct Internal(pub String);

impl std::fmt::Display for Internal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal error: {} (please report this)", self.0)
    }
}

impl std::error::Error for Internal {}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    init_tracing(&cli.global);
    match commands::run(cli) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(err) => {
            // One line with the reason; the chain adds context. Names and
            // paths in it may come from the input: no escape sequence or
            // bidi control reaches the terminal (the few messages that list
            // places tried keep their line breaks).
            let mut msg = format!("error: {err}");
            for cause in err.chain().skip(1) {
                msg.push_str(&format!(": {cause}"));
            }
            eprintln!("{}", bulkhead_types::text::terminal_safe_multiline(&msg));
            ExitCode::from(exit_code(&err))
        }
    }
}

/// The contract's exit code for an error: 3 when it is Bulkhead's fault,
/// 2 for a usage or input error (whatever the input: a file, a flag, a
/// daemon or registry, the database).
fn exit_code(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<Internal>().is_some() {
        return 3;
    }
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<bulkhead_engine::Error>() {
            return engine_exit_code(e.kind());
        }
        if let Some(bulkhead_sign::SignError::Internal(_)) = cause.downcast_ref() {
            return 3;
        }
    }
    2
}

/// The exit code of each kind of engine error.
fn engine_exit_code(kind: bulkhead_engine::ErrorKind) -> u8 {
    use bulkhead_engine::ErrorKind as K;
    match kind {
        K::Input | K::NotFound | K::Unreachable | K::Auth | K::Database | K::Limit => 2,
        // The CLI never cancels an engine call: a cancelled one is ours.
        K::Cancelled | K::Internal => 3,
    }
}

/// The built-in secret rules, for redacting log lines (built on the first
/// line logged; none when they do not compile, which a unit test rules out).
fn log_scanner() -> Option<&'static bulkhead_secrets::Scanner> {
    static SCANNER: std::sync::OnceLock<Option<bulkhead_secrets::Scanner>> =
        std::sync::OnceLock::new();
    SCANNER
        .get_or_init(|| bulkhead_secrets::Scanner::builtin().ok())
        .as_ref()
}

fn init_tracing(global: &args::GlobalArgs) {
    let level = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    // `-v` raises Bulkhead's own logs only (every `bulkhead_*` crate):
    // libraries stay at warnings, since their debug logs dump whole daemon
    // and registry answers (bollard logs every inspect body, image config
    // and secrets in `Env` included). BULKHEAD_LOG overrides this for
    // debugging, at the user's choice.
    let own = if global.quiet {
        level.to_string()
    } else {
        format!("warn,bulkhead={level}")
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("BULKHEAD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(own));
    // Log lines echo input (paths, package names, registry answers): every
    // field passes the one redaction and the one terminal cleaner, on one
    // line.
    let fields = tracing_subscriber::fmt::format::debug_fn(|w, field, value| {
        let text = format!("{value:?}");
        let text = match log_scanner() {
            Some(scanner) => bulkhead_secrets::sources::redact_str(&text, scanner),
            None => text,
        };
        let text = bulkhead_types::text::terminal_safe(&text);
        if field.name() == "message" {
            write!(w, "{text}")
        } else {
            write!(w, "{}={text}", field.name())
        }
    });
    let _ = tracing_subscriber::fmt()
        .fmt_fields(tracing_subscriber::field::MakeExt::delimited(fields, " "))
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal: logs captured by CI or
        // redirected to a file stay plain text.
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && !global.no_color
                && std::env::var_os("NO_COLOR").is_none(),
        )
        .with_target(false)
        .without_time()
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;
    use bulkhead_engine::{Error, ErrorKind};

    fn code(e: Error) -> u8 {
        exit_code(&anyhow::Error::new(e))
    }

    /// clap's own consistency checks over every command and subcommand
    /// (unique argument ids, valid groups), which otherwise fire only when
    /// that subcommand is first used.
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        args::Cli::command().debug_assert();
    }

    #[test]
    fn engine_kinds_map_to_exit_codes() {
        for (kind, want) in [
            (ErrorKind::Input, 2),
            (ErrorKind::NotFound, 2),
            (ErrorKind::Unreachable, 2),
            (ErrorKind::Auth, 2),
            (ErrorKind::Database, 2),
            (ErrorKind::Limit, 2),
            (ErrorKind::Cancelled, 3),
            (ErrorKind::Internal, 3),
        ] {
            assert_eq!(code(Error::new(kind, "m")), want, "{kind:?}");
            assert_eq!(engine_exit_code(kind), want, "{kind:?}");
        }
    }

    #[test]
    fn context_added_by_a_command_keeps_the_engine_kind() {
        let internal: anyhow::Result<()> =
            Err(Error::Internal("join".into())).context("cannot scan");
        assert_eq!(exit_code(&internal.unwrap_err()), 3);
        let input: anyhow::Result<()> = Err(Error::Input("bad".into())).context("cannot scan");
        assert_eq!(exit_code(&input.unwrap_err()), 2);
    }

    #[test]
    fn other_errors() {
        assert_eq!(exit_code(&anyhow::anyhow!("bad flag")), 2);
        assert_eq!(exit_code(&anyhow::Error::new(Internal("bug".into()))), 3);
    }
}
