//! Parser tests: one per syntax feature.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn directives_and_escape() {
    let df = parse(
        "# syntax=docker/dockerfile:1.7\n# escape=`\nFROM alpine:3.19\nRUN echo a `\n    b\n",
    );
    assert_eq!(df.directives.len(), 2);
    assert_eq!(df.escape, '`');
    let run = &df.instructions[1];
    assert_eq!(run.args_text(), "echo a     b");
    assert_eq!(run.span.start.line, 4);
    assert_eq!(run.span.end.line, 5);
    // a directive after a comment is just a comment
    let df = parse("# hello\n# escape=`\nFROM x\n");
    assert_eq!(df.escape, '\\');
    assert!(df.directives.is_empty());
}

#[test]
fn continuation_with_comments_and_blank_lines() {
    let df = parse(
        "FROM x\nRUN apt-get update \\\n# a comment\n\n    && apt-get install -y curl\nUSER 1\n",
    );
    assert_eq!(df.instructions.len(), 3);
    assert!(
        df.instructions[1]
            .args_text()
            .contains("&& apt-get install")
    );
    assert_eq!(df.instructions[2].span.start.line, 6);
    assert!(df.comments.iter().any(|c| c.text == "a comment"));
}

#[test]
fn heredocs() {
    let src = "FROM x\nRUN <<EOF bash\nset -e\necho hi\nEOF\nCOPY <<-\"A\" /a <<B /b\n\tone\n\tA\ntwo\nB\nUSER 1\n";
    let df = parse(src);
    let run = &df.instructions[1];
    assert_eq!(run.heredocs.len(), 1);
    assert_eq!(run.heredocs[0].body, "set -e\necho hi");
    assert_eq!(run.span.end.line, 5);
    let copy = &df.instructions[2];
    assert_eq!(copy.heredocs.len(), 2);
    assert!(copy.heredocs[0].strip_tabs && copy.heredocs[0].quoted);
    assert_eq!(copy.heredocs[0].body, "one");
    assert_eq!(copy.heredocs[1].body, "two");
    assert_eq!(df.instructions[3].keyword, "USER");
    assert_eq!(df.instructions[3].span.start.line, 11);
    let bad = parse("FROM x\nRUN <<EOF\necho\n");
    assert!(
        bad.errors
            .iter()
            .any(|e| e.message.contains("never terminated"))
    );
}

#[test]
fn json_and_shell_forms() {
    let df = parse("FROM x\nCMD [\"a\", \"b c\"]\nENTRYPOINT run me\nCMD [not json\n");
    assert_eq!(
        df.instructions[1].form,
        Form::Json(vec!["a".into(), "b c".into()])
    );
    assert_eq!(df.instructions[2].form, Form::Shell("run me".into()));
    assert!(matches!(df.instructions[3].form, Form::Shell(_)));
}

#[test]
fn flags_with_spans() {
    let df = parse(
        "FROM --platform=$BUILDPLATFORM golang:1 AS b\nRUN --mount=type=secret,id=npm,target=/root/.npmrc --mount=type=cache,target=/c npm ci\nCOPY --from=b --chown=1:1 --chmod=0755 --link /o /app/\n",
    );
    let from = &df.instructions[0];
    assert_eq!(
        from.flag("platform").unwrap().value.as_deref(),
        Some("$BUILDPLATFORM")
    );
    let run = &df.instructions[1];
    assert_eq!(run.flags.len(), 2);
    let o = run.flags[0].options();
    assert_eq!(o.get("type").map(String::as_str), Some("secret"));
    assert_eq!(run.flags[0].span.start, Pos { line: 2, col: 5 });
    assert_eq!(run.args_text(), "npm ci");
    let copy = &df.instructions[2];
    assert!(copy.flag("link").unwrap().value.is_none());
    assert_eq!(copy.flag("chmod").unwrap().value.as_deref(), Some("0755"));
    assert_eq!(copy.words(), vec!["/o", "/app/"]);
}

#[test]
fn arg_env_scoping_across_stages() {
    let src = "ARG BASE=alpine\nARG TAG=3.19\nFROM ${BASE}:${TAG:-x} AS one\nARG TAG\nENV DIR=/srv HOME_${TAG}=y\nWORKDIR $DIR/${TAG}\nFROM one\nWORKDIR ${DIR:-/none}\nUSER ${UID:+set}${UID:-1000}\n";
    let df = parse(src);
    assert_eq!(df.stages[0].base, "alpine:3.19");
    assert_eq!(df.stages[0].name.as_deref(), Some("one"));
    assert_eq!(df.instructions[5].expanded, "/srv/3.19");
    // a new stage does not see the previous stage's ENV
    assert_eq!(df.instructions[7].expanded, "/none");
    assert!(df.stages[1].base_is_stage);
    assert_eq!(df.instructions[8].expanded, "1000");
    let with_arg = parse_with(
        src,
        &ParseOptions {
            build_args: [("TAG".to_string(), "3.20".to_string())].into(),
        },
    );
    assert_eq!(with_arg.instructions[5].expanded, "/srv/3.20");
}

#[test]
fn env_legacy_and_key_values() {
    let df = parse("FROM x\nENV A b c\nENV B=\"x y\" C=z\nARG D\n");
    assert_eq!(
        df.instructions[1].key_values(),
        vec![("A".to_string(), Some("b c".to_string()))]
    );
    assert_eq!(df.instructions[2].key_values()[0].1.as_deref(), Some("x y"));
    assert_eq!(df.instructions[3].key_values()[0].1, None);
}

#[test]
fn target_and_stages() {
    let df = parse("FROM a:1 AS build\nRUN x\nFROM b:1 AS test\nRUN y\nFROM c:1\n");
    assert_eq!(df.stages.len(), 3);
    assert_eq!(df.final_stage(Some("TEST")).unwrap().index, 1);
    assert_eq!(df.stage_instructions(&df.stages[0]).len(), 1);
    assert_eq!(df.stage_by_ref("0").unwrap().name.as_deref(), Some("build"));
}

#[test]
fn errors_do_not_stop_parsing() {
    let df = parse("FROM x\nRUNN echo\nUSER 1\n\u{feff}\r\nCMD\n");
    assert!(
        df.errors
            .iter()
            .any(|e| e.message.contains("unknown instruction"))
    );
    assert!(df.errors.iter().any(|e| e.message.contains("no arguments")));
    assert_eq!(
        df.instructions
            .iter()
            .filter(|i| i.keyword == "USER")
            .count(),
        1
    );
}

#[test]
fn hostile_inputs_do_not_panic() {
    for s in [
        "\\",
        "FROM \\",
        "RUN <<",
        "RUN <<-",
        "FROM x\nRUN <<'",
        "FROM ${",
        "FROM ${A:-${B:-${C",
        "\u{0}\u{ffff}",
        "# escape=\nFROM",
        "COPY --",
        "ENV =",
        "é\\\né",
    ] {
        let _ = parse(s);
    }
}
