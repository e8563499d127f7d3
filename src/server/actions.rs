//! `textDocument/codeAction`: the fixes of `actions/` as LSP code actions. Quick fixes carry
//! the diagnostics they fix (matched by code and range among the request's context); the
//! fix-all action (`source.fixAll.notes-lsp`) is computed when the client asks for source
//! actions or the user invoked the menu, not on every cursor move.
//!
//! Runs on a blocking thread and takes the document's lock twice (to compute the fixes, then
//! to convert them), never while reading other notes for the links.

use std::collections::HashMap;
use std::ops::Range;

use tower_lsp_server::ls_types as lsp;

use super::{State, to_proto};
use crate::actions::{self, Ctx, Fix, Kind, LinkEnv, Options};
use crate::note::{Encoding, Note};
use crate::workspace::Facts;

/// The kind of the fix-all action.
pub const FIX_ALL: &str = "source.fixAll.notes-lsp";

/// The kinds this server offers (`codeActionProvider.codeActionKinds`).
pub fn kinds() -> Vec<lsp::CodeActionKind> {
    vec![
        lsp::CodeActionKind::QUICKFIX,
        lsp::CodeActionKind::REFACTOR_REWRITE,
        lsp::CodeActionKind::SOURCE,
        lsp::CodeActionKind::new(FIX_ALL),
    ]
}

fn kind_str(k: Kind) -> &'static str {
    match k {
        Kind::QuickFix => "quickfix",
        Kind::RefactorRewrite => "refactor.rewrite",
        Kind::Source => "source",
    }
}

/// Whether `kind` passes the client's `only` filter (its entries are prefixes: `source`
/// asks for `source.fixAll.notes-lsp` too).
fn wanted(only: Option<&[lsp::CodeActionKind]>, kind: &str) -> bool {
    only.is_none_or(|o| {
        o.iter().any(|k| {
            let k = k.as_str();
            kind == k || (kind.starts_with(k) && kind.as_bytes().get(k.len()) == Some(&b'.'))
        })
    })
}

fn edit(
    uri: &lsp::Uri,
    note: &Note,
    edits: &[(Range<usize>, String)],
    enc: Encoding,
) -> lsp::WorkspaceEdit {
    let edits = edits
        .iter()
        .map(|(r, t)| lsp::TextEdit::new(to_proto::range(note, r, enc), t.clone()))
        .collect();
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }
}

pub fn code_actions(
    state: &State,
    uri: &lsp::Uri,
    params: &lsp::CodeActionParams,
) -> Option<lsp::CodeActionResponse> {
    let doc = state.get(uri)?;
    let enc = state.encoding();
    let opts = Options::from_config(&state.config());
    let only = params.context.only.as_deref();
    let invoked = params.context.trigger_kind == Some(lsp::CodeActionTriggerKind::INVOKED);
    let fix_all_wanted = match only {
        Some(o) => wanted(Some(o), FIX_ALL),
        None => invoked,
    };

    // The note's own fixes, under its lock.
    let (version, mut fixes, facts, analysis, text, range) = {
        let mut cur = doc.current(enc);
        let a = cur.analysis();
        let start = to_proto::offset(&cur.note, params.range.start, enc);
        let end = to_proto::offset(&cur.note, params.range.end, enc).max(start);
        let cx = Ctx::around(&cur.note, &a, opts.style, start..end);
        let mut fixes = actions::at(&cx, start..end);
        // Writing a run's real output: a quick fix, and on request one action for all.
        fixes.extend(super::running::fixes(
            state,
            &doc.uri,
            &cur.note,
            &a,
            start..end,
            fix_all_wanted || only.is_some_and(|o| wanted(Some(o), "source")),
        ));
        let facts = Facts::of(&doc.uri, &cur.note, &a, opts.style);
        (cur.version, fixes, facts, a.clone(), cx.text, start..end)
    };
    // Links and fix-all need the other notes: read with this one's lock released.
    let view = state.view(Some(&doc.uri));
    fixes.extend(actions::links::fixes(
        &analysis,
        &text,
        &view,
        &facts,
        Some(range),
    ));
    let fix_all = fix_all_wanted.then(|| {
        let env = LinkEnv {
            view: &view,
            uri: &doc.uri,
        };
        let done = actions::fix_all(&text, &opts, Some(&env));
        (actions::diff_edits(&text, &done.text), done.applied.len())
    });
    drop(view);

    let cur = doc.current(enc);
    if cur.version != version {
        return None;
    }
    let mut out = Vec::new();
    for f in &fixes {
        let kind = kind_str(f.kind);
        if !wanted(only, kind) {
            continue;
        }
        out.push(lsp::CodeActionOrCommand::CodeAction(action(
            uri, &cur.note, f, enc, params,
        )));
    }
    if let Some((edits, n)) = fix_all
        && !edits.is_empty()
    {
        out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: format!(
                "Fix all safe problems in this note ({n} fix{})",
                if n == 1 { "" } else { "es" }
            ),
            kind: Some(lsp::CodeActionKind::new(FIX_ALL)),
            edit: Some(edit(uri, &cur.note, &edits, enc)),
            ..Default::default()
        }));
    }
    Some(out)
}

fn action(
    uri: &lsp::Uri,
    note: &Note,
    f: &Fix,
    enc: Encoding,
    params: &lsp::CodeActionParams,
) -> lsp::CodeAction {
    // The diagnostics it fixes, as the client sent them back.
    let diagnostics = f
        .diagnostic_code
        .zip(f.diagnostic_range.as_ref())
        .map(|(code, r)| {
            let range = to_proto::range(note, r, enc);
            params
                .context
                .diagnostics
                .iter()
                .filter(|d| {
                    d.range == range
                        && matches!(&d.code, Some(lsp::NumberOrString::String(c)) if c == code)
                })
                .cloned()
                .collect::<Vec<_>>()
        });
    lsp::CodeAction {
        title: f.title.clone(),
        kind: Some(lsp::CodeActionKind::new(kind_str(f.kind))),
        diagnostics: diagnostics.filter(|d| !d.is_empty()),
        edit: Some(edit(uri, note, &f.edits, enc)),
        is_preferred: (f.kind == Kind::QuickFix && f.safe).then_some(true),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::wanted;
    use tower_lsp_server::ls_types::CodeActionKind;

    #[test]
    fn only_filters_by_prefix() {
        let source = [CodeActionKind::SOURCE];
        assert!(wanted(Some(&source), super::FIX_ALL));
        assert!(!wanted(Some(&source), "quickfix"));
        let fix_all = [CodeActionKind::SOURCE_FIX_ALL];
        assert!(wanted(Some(&fix_all), super::FIX_ALL));
        assert!(!wanted(Some(&[CodeActionKind::new("sourc")]), "source"));
        assert!(wanted(None, "refactor.rewrite"));
    }
}
