//! The editors' lists of diagnostic codes against the server's: the VS Code extension's
//! `notesLsp.diagnostics` setting offers exactly the codes the server's settings accept
//! (`codes::code::RULES` and each sample language's code), and the editors' READMEs name
//! them all.

use notes_lsp::codes::code;
use notes_lsp::samples::registry::LANGUAGES;

fn read(path: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every code a `diagnostics` setting may name: each language's, in the registry's order
/// (Python's first), then the other rules'.
fn server_codes() -> Vec<&'static str> {
    let mut codes: Vec<&str> = LANGUAGES.iter().map(|l| l.code).collect();
    codes.extend(code::RULES);
    codes
}

#[test]
fn the_vscode_setting_offers_exactly_the_servers_codes() {
    let manifest: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/package.json")).unwrap();
    let listed: Vec<&str> = manifest["contributes"]["configuration"]["properties"]
        ["notesLsp.diagnostics"]["propertyNames"]["enum"]
        .as_array()
        .expect("notesLsp.diagnostics.propertyNames.enum")
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let expected = server_codes();
    let missing: Vec<&&str> = expected.iter().filter(|c| !listed.contains(c)).collect();
    let unknown: Vec<&&str> = listed.iter().filter(|c| !expected.contains(c)).collect();
    assert!(
        missing.is_empty() && unknown.is_empty() && listed == expected,
        "editors/vscode/package.json, notesLsp.diagnostics: missing {missing:?}, not codes of \
         the server {unknown:?}; the list should read, in this order:\n{}",
        serde_json::to_string_pretty(&expected).unwrap()
    );
}

#[test]
fn the_editor_readmes_name_every_code() {
    for path in ["editors/README.md", "editors/vscode/README.md"] {
        let text = read(path);
        for c in code::RULES
            .iter()
            .chain([&code::PYTHON_SYNTAX, &code::JSON_SYNTAX])
        {
            assert!(
                text.contains(&format!("`{c}`")),
                "{path} does not name `{c}`"
            );
        }
        // The other languages' codes by their pattern, and where they are listed.
        assert!(
            text.contains("`<language>-syntax`") && text.contains("docs/languages.md"),
            "{path} does not name `<language>-syntax` (docs/languages.md)"
        );
    }
}
