//! The language of an untagged sample, when it can be told: the sample parses in exactly one
//! of the languages asked and fails in every other. Most short snippets parse in several
//! (`x = 1` is Python, Ruby, Bash and TOML): then nothing is said.
//!
//! Not asked: Kotlin and Swift, whose checkers only pair brackets and literals, so that they
//! accept nearly all code. The checkers run strict ([`strictly`]): a sample one would pass over
//! as not code of its tag fails. A sample most of whose lines are words and sentence
//! punctuation is prose (or a command of plain words): nothing is said. A grammar that reads
//! much else counts only with a construct of its own: YAML and JSON a collection (not a
//! scalar), Bash and Ruby a line only they write, the C family a `;`; JavaScript, TypeScript
//! and Go anything but a YAML block of plain words, which they read as labels. Such a block is
//! no prose either.

use super::registry::{LANGUAGES, Language};
pub use super::strict::strictly;

/// Samples longer than this are not guessed at (each language parses the whole sample).
const MAX_LEN: usize = 16 * 1024;

/// The one language `source` parses in, if exactly one does; `parses(lang)` runs its checker.
pub fn untagged_language(
    source: &str,
    mut parses: impl FnMut(&'static Language) -> bool,
) -> Option<&'static Language> {
    if source.len() > MAX_LEN || source.trim().is_empty() {
        return None;
    }
    let lines: Vec<&str> = source.lines().filter(|l| !l.trim().is_empty()).collect();
    let yaml_block = yaml_block(&lines);
    if lines.iter().filter(|l| words_only(l)).count() * 2 >= lines.len() && !yaml_block {
        return None;
    }
    let mut found = None;
    for lang in LANGUAGES.iter().filter(|l| l.check.is_some()) {
        let counts = match lang.name {
            "kotlin" | "swift" => continue,
            "yaml" => super::yaml::is_collection(source),
            "json" => source.trim_start().starts_with(['{', '[']),
            // Their checkers take a sample without `;` for a fragment missing its last one;
            // a block of `name { key = value }` (Terraform, Gradle) reads so.
            "c" | "cpp" | "java" | "csharp" | "php" => source.contains(';'),
            // Such a block is labels over labels to them (`image: nginx` a labelled `nginx`).
            "javascript" | "typescript" | "go" => !yaml_block,
            "bash" => lines.iter().any(|l| shell_only(l)),
            "ruby" => lines.iter().any(|l| ruby_only(l)),
            _ => true,
        };
        // A YAML scalar, a JSON string, Bash or Ruby without a construct of their own prove
        // nothing: they are not asked.
        if counts && parses(lang) {
            if found.is_some() {
                return None;
            }
            found = Some(lang);
        }
    }
    found
}

/// A line of words and sentence punctuation only (any script's): prose, or a command of
/// plain words, which parses in Bash (a command) and Ruby (a call without parentheses) alike.
fn words_only(line: &str) -> bool {
    line.chars().all(|c| {
        !c.is_ascii() || c.is_alphanumeric() || c.is_whitespace() || ".,;:!?'\"-()/".contains(c)
    })
}

/// A YAML block collection of plain words (`services:` over `  web:` over `    image: nginx`),
/// which the prose rule above would pass over: every line a `key:` or `key: value` with a
/// key of one word, a `- ` item, a comment or a document marker (block scalars' lines
/// skipped), and at least one `key:` holding a nested mapping whose key reads as data rather
/// than a label in a sentence: lower case, quoted, joined with `_-./` or digits, or camelCase
/// (`apiVersion`, `MyBucket`; not `Note`, `Input`). `Note: this is...` or `Pros:` over
/// `- fast` are prose still.
fn yaml_block(lines: &[&str]) -> bool {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let mut nested = false;
    let mut scalar_above: Option<usize> = None;
    let mut open: Option<usize> = None;
    for line in lines {
        let at = indent(line);
        if let Some(k) = scalar_above {
            if at > k {
                continue;
            }
            scalar_above = None;
        }
        let t = line.trim();
        if t.starts_with('#') || t == "---" || t == "..." {
            continue;
        }
        // After `- ` items (`- - a`, `- name: x`), what the line holds.
        let mut body = t;
        let mut item = false;
        while let Some(rest) = body
            .strip_prefix("- ")
            .or(if body == "-" { Some("") } else { None })
        {
            body = rest.trim_start();
            item = true;
        }
        let entry = yaml_entry(body);
        if let Some(parent) = open.take()
            && let Some((key, _)) = entry
            && (at > parent || (at == parent && item))
            && data_key(key)
        {
            nested = true;
        }
        match entry {
            Some((_, value)) => {
                let key_at = at + (t.len() - body.len());
                if value.is_empty() {
                    open = Some(key_at);
                } else if value.starts_with(['|', '>']) && !value.contains(' ') {
                    scalar_above = Some(key_at);
                }
            }
            None if item => {}
            None => return false,
        }
    }
    nested
}

/// `key:` or `key: value` with a key of one word or a quoted one: the key and the value.
fn yaml_entry(body: &str) -> Option<(&str, &str)> {
    let (key, value) = if body.starts_with(['"', '\'']) {
        let q = body.as_bytes()[0] as char;
        let end = body[1..].find(q)? + 2;
        (&body[..end], body[end..].strip_prefix(':')?)
    } else {
        let colon = body.find(':')?;
        (&body[..colon], &body[colon + 1..])
    };
    let plain = key
        .chars()
        .all(|c| c.is_alphanumeric() || "_-./".contains(c));
    let quoted = key.len() >= 2 && key.starts_with(['"', '\'']);
    if key.is_empty() || !(plain || quoted) || !(value.is_empty() || value.starts_with(' ')) {
        return None;
    }
    Some((key, value.trim()))
}

/// A key that reads as data, not as a word opening a sentence (see [`yaml_block`]).
fn data_key(key: &str) -> bool {
    let mut chars = key.chars();
    let first = chars.next().unwrap_or(' ');
    first.is_lowercase()
        || key.starts_with(['"', '\''])
        || key.contains(|c: char| "_-./".contains(c) || c.is_ascii_digit())
        || chars.any(char::is_uppercase)
}

/// Bash reads most lines of words and brackets as commands; it is named only for a line with
/// what only a shell writes: a pipe, an expansion (`$x`, `${x}`, `$(...)`), `&&`, a
/// redirection of a numbered descriptor or an append, `[[`, a block's closing word, `#!`.
fn shell_only(line: &str) -> bool {
    let t = line.trim();
    let b = t.as_bytes();
    let pipe = (0..b.len()).any(|i| {
        b[i] == b'|'
            && b.get(i + 1) != Some(&b'|')
            && (i == 0 || b[i - 1] != b'|')
            && i > 0
            && b[i - 1] == b' '
            && b.get(i + 1) == Some(&b' ')
    });
    let expansion = (0..b.len()).any(|i| {
        b[i] == b'$'
            && b.get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'{' | b'(' | b'_'))
    });
    pipe || expansion
        || t.contains(" && ")
        || t.contains("2>")
        || t.contains(">>")
        || t.starts_with("[[ ")
        || t.starts_with("#!/")
        || matches!(t, "fi" | "done" | "esac")
}

/// Ruby reads calls without parentheses and blocks in braces, so that much code of other
/// languages (a Gradle or Terraform block) parses as Ruby; it is named only for a line with a
/// construct of its own: a block's `end`, block parameters `|x|`, `def`, `elsif`, `unless`.
fn ruby_only(line: &str) -> bool {
    let t = line.trim();
    t == "end"
        || t.starts_with("end.")
        || t.starts_with("def ")
        || t.starts_with("elsif ")
        || t.starts_with("unless ")
        || t.contains("do |")
        || t.contains("{ |")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(src: &str) -> Option<&'static str> {
        untagged_language(src, |l| strictly(|| l.run(l.tags[0], src).is_none())).map(|l| l.name)
    }

    #[test]
    fn one_language_or_none() {
        let go = "func sum(nums []int) int {\n    total := 0\n    for _, n := range nums {\n        total += n\n    }\n    return total\n}\n";
        assert_eq!(guess(go), Some("go"));
        let java = "public class Counter extends Thread {\n    private int count = 0;\n\n    @Override\n    public void run() {\n        for (int i = 0; i < 10; i++) {\n            count++;\n        }\n    }\n}\n";
        assert_eq!(guess(java), Some("java"));
        let sql = "SELECT department, COUNT(*) AS staff\nFROM employees\nWHERE salary > 50000\nGROUP BY department\nHAVING COUNT(*) > 5;\n";
        assert_eq!(guess(sql), Some("sql"));
        let bash = "grep -c \"ERROR\" /var/log/app.log | sort -rn | head -n 5 > top.txt\n";
        assert_eq!(guess(bash), Some("bash"));
        let prose = "A hash map stores keys and values. Lookups take constant time on average,\nbut a bad hash function can make every key collide.\n";
        assert_eq!(guess(prose), None);
        // C and C++ both read it; JavaScript and TypeScript; a JSON object is Python and
        // Ruby too: nothing said.
        assert_eq!(
            guess("int add(int a, int b) {\n    return a + b;\n}\n"),
            None
        );
        assert_eq!(
            guess("const total = items.reduce((a, b) => a + b, 0);\n"),
            None
        );
        assert_eq!(guess("{\"id\": 1, \"tags\": [\"a\", \"b\"]}\n"), None);
        // A Terraform block parses as Ruby (calls with blocks) and, without its `;`, as C++:
        // neither has a construct of its own here.
        assert_eq!(
            guess("resource \"aws_instance\" \"web\" {\n  ami = \"ami-123\"\n}\n"),
            None
        );
        // A YAML scalar is no collection.
        assert!(!super::super::yaml::is_collection("just a sentence here\n"));
    }

    #[test]
    fn yaml_of_plain_words_but_not_prose() {
        for yaml in [
            "services:\n  web:\n    image: nginx\n    restart: always\n",
            "- name: Install a package\n  package:\n    name: zlib\n    state: present\n",
            "spec:\n  containers:\n  - name: web\n    image: nginx\n",
            "# the app\nconfig:\n  description: |\n    Any text: at all, here.\n  port: 80\n",
            "Resources:\n  MyBucket:\n    Type: AWS::S3::Bucket\n",
        ] {
            assert_eq!(guess(yaml), Some("yaml"), "{yaml}");
        }
        for prose in [
            "Note: this is what the function returns.\n",
            "Note: this is important.\nTip: read it twice.\n",
            "Pros:\n  - fast\n  - simple\nCons:\n  - memory\n",
            "Example:\n  Input: nums\n  Output: six\n",
            "Complexity:\n  Best: linear\n  Worst: quadratic\n",
            "Example:\n  this is what happens next\n",
            "Time complexity:\n  best case: linear\n",
        ] {
            assert_eq!(guess(prose), None, "{prose}");
        }
    }
}
