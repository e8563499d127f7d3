//! What tells questions apart for `duplicate-question` beyond their titles: the code a
//! question shows, whether a numbered title asks anything, which notes are translations of
//! one another, and how a finding names the other places.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::note::Note;
use crate::outline::{self, Section};

/// How far into an answer (bytes) a line of inline code is looked for.
const INLINE_SCAN: usize = 2048;

/// The end of the section whose heading is `heading` (its answer and subsections).
fn section_end(outline: &[Section], heading: usize) -> Option<usize> {
    let mut level: &[Section] = outline;
    loop {
        let i = level.partition_point(|s| s.heading <= heading);
        let s = level.get(i.checked_sub(1)?)?;
        if s.heading == heading {
            return Some(s.range.end);
        }
        level = &s.children;
    }
}

/// What question `i` of `a` shows besides its title, as a hash: the code it asks about (the
/// first sample of its answer wherever it sits: under the title, after a lead-in line, in a
/// list item, in `<details>`; else the first line of the answer written as inline code
/// alone, `` `echo 5 % 0.75;` ``), else its choices (the first task list, `- [ ] ...`, whose
/// boxes are left out: a copy with the answer ticked elsewhere is the same question). `None`
/// when the answer shows none of these.
pub fn material(note: &Note, a: &Analysis, i: usize) -> Option<u64> {
    material_to(note, a, i, answer_end(a, i, section_end(&a.outline, i)))
}

/// Where the answer of heading `i` of `a` that [`material`] reads ends, given its
/// section's end (`section`, as [`section_ends`] finds it).
pub fn answer_end(a: &Analysis, i: usize, section: Option<usize>) -> usize {
    let from = a.headings[i].range.end;
    section.unwrap_or(from).max(from)
}

/// The end of each heading's section in `outline` (by heading index, `n` headings), as
/// [`material`] finds them one by one; in one walk over the outline.
pub fn section_ends(outline: &[Section], n: usize) -> Vec<Option<usize>> {
    let mut ends = vec![None; n];
    let mut stack: Vec<&[Section]> = vec![outline];
    while let Some(level) = stack.pop() {
        for s in level {
            if let Some(e) = ends.get_mut(s.heading) {
                *e = Some(s.range.end);
            }
            stack.push(&s.children);
        }
    }
    ends
}

/// [`material`] of heading `i`, whose answer ends at `end` ([`answer_end`]): only the
/// text between the heading and `end`, and the samples there, are read.
pub fn material_to(note: &Note, a: &Analysis, i: usize, end: usize) -> Option<u64> {
    let from = a.headings[i].range.end;
    let first = a.samples.partition_point(|s| s.range.start < from);
    if let Some(s) = a.samples.get(first)
        && s.range.start < end
    {
        return Some(s.code);
    }
    let body = note.slice(from..end.min(from + INLINE_SCAN));
    let hash = |parts: &[&str]| {
        let mut hasher = DefaultHasher::new();
        parts.hash(&mut hasher);
        hasher.finish()
    };
    let inline = body.lines().find_map(|l| {
        let t = l.trim();
        let inner = t.strip_prefix('`')?.strip_suffix('`')?.trim_matches('`');
        (!inner.trim().is_empty() && !inner.contains('`')).then(|| inner.trim())
    });
    if let Some(code) = inline {
        return Some(hash(&[code]));
    }
    // "What type of chart is this?" over two pictures asks two questions.
    if let Some(image) = body.lines().find_map(image_alone) {
        return Some(hash(&["image", image]));
    }
    let choices: Vec<&str> = body
        .lines()
        .skip_while(|l| task_item(l).is_none())
        .map_while(task_item)
        .collect();
    (!choices.is_empty()).then(|| hash(&choices))
}

/// Where the image goes of a line that shows one image and nothing else: `![alt](dest)` or
/// `<img src="dest">`.
fn image_alone(line: &str) -> Option<&str> {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix("![") {
        let (_, after) = rest.split_once("](")?;
        let dest = after.strip_suffix(')')?;
        let dest = dest.split_whitespace().next()?; // a title after the destination
        return (!dest.is_empty()).then_some(dest);
    }
    let rest = t.strip_prefix("<img ")?;
    let at = rest.find("src=")? + 4;
    let quoted = &rest[at..];
    let quote = quoted.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let src = quoted[1..].split(quote).next()?;
    (t.ends_with('>') && !src.is_empty()).then_some(src)
}

/// The text of a task-list item (`- [ ] text`, `* [x] text`), its box left out.
fn task_item(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let rest = t
        .strip_prefix(['-', '*', '+'])?
        .strip_prefix(' ')?
        .trim_start();
    let rest = rest.strip_prefix('[')?;
    let mut chars = rest.chars();
    let mark = chars.next()?;
    if !matches!(mark, ' ' | 'x' | 'X') {
        return None;
    }
    Some(chars.as_str().strip_prefix(']')?.trim())
}

/// For each heading level (index 1-7), whether some heading of that level in the note asks
/// something by itself ([`outline::asks`]).
pub fn asking_levels(a: &Analysis) -> [bool; 8] {
    let mut levels = [false; 8];
    for h in &a.headings {
        if h.question && !levels[usize::from(h.level.min(7))] && outline::asks(&h.title) {
            levels[usize::from(h.level.min(7))] = true;
        }
    }
    levels
}

/// Whether heading `h`, a question for the outline, is one for duplicates: a title that asks
/// by itself is; a numbered one (`2. Use flashcards`, `5. Explain closures`) is when some
/// heading of its level in the note asks by itself (a list of numbered questions rather than
/// of numbered tips).
pub fn counts(h: &outline::Heading, levels: &[bool; 8]) -> bool {
    h.question && (levels[usize::from(h.level.min(7))] || outline::asks(&h.title))
}

/// ISO 639-1 language codes.
const LANGUAGES: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca \
    ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn \
    gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km \
    kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd \
    ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si \
    sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz \
    ve vi vo wa wo xh yi yo za zh zu";

/// ISO 3166-1 country codes (notes name languages by country too: `-ua`, `-cn`, `pt-BR`).
const COUNTRIES: &str = "ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh \
    bi bj bl bm bn bo bq br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw \
    cx cy cz de dj dk dm do dz ec ee eg eh er es et fi fj fk fm fo fr ga gb gd ge gf gg gh gi \
    gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo \
    jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh \
    mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa \
    pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl \
    sm sn so sr ss st sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug um us \
    uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw";

fn listed(list: &str, code: &str) -> bool {
    code.len() == 2 && list.split_whitespace().any(|c| c == code)
}

/// Whether `s` (lower case) names a language: `fr`, `ua`, `zh-cn`, `zh_cn`, `ptbr`,
/// `zh-hans`.
fn is_language(s: &str) -> bool {
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_')
    {
        return false;
    }
    if s.len() == 2 {
        return listed(LANGUAGES, s) || listed(COUNTRIES, s);
    }
    let (lang, rest) = s.split_at(2.min(s.len()));
    if !listed(LANGUAGES, lang) {
        return false;
    }
    match rest.strip_prefix(['-', '_']) {
        Some(region) => {
            listed(COUNTRIES, region) || (region.len() == 4 && !region.contains(['-', '_']))
        }
        None => listed(COUNTRIES, rest),
    }
}

/// The names a note's stem may be a translation of: itself, and itself without a trailing
/// language (`readme-fr` → `readme`, `quiz.zh_cn` → `quiz`); lower case, `_` read as `-`.
fn stems(stem: &str) -> Vec<String> {
    let lower = stem.to_lowercase();
    let mut out = vec![lower.replace('_', "-")];
    // The language follows the last separator, or the one before it (`zh_cn`, `pt-br`).
    let seps: Vec<usize> = lower
        .match_indices(['-', '_', '.'])
        .map(|(i, _)| i)
        .collect();
    for &at in seps.iter().rev().take(2) {
        if at > 0 && is_language(&lower[at + 1..]) {
            out.push(lower[..at].replace('_', "-"));
        }
    }
    out
}

/// The folder a note's originals would be in: its own, or for a note under a
/// `translations` folder (`translations/README-fr.md`, `translations/fr/README.md`) the
/// folder that holds that one.
fn home(path: &Path) -> Option<PathBuf> {
    let dir = path.parent()?;
    let mut d = dir;
    // A language folder (`fr/`, `zh-CN/`) inside `translations/`.
    if d.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| is_language(&n.to_lowercase()))
        && d.parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n.eq_ignore_ascii_case("translations"))
    {
        d = d.parent()?;
    }
    if d.file_name()
        .is_some_and(|n| n.eq_ignore_ascii_case("translations"))
    {
        return Some(d.parent()?.to_path_buf());
    }
    Some(dir.to_path_buf())
}

/// Whether the notes at `a` and `b` are translations of one note (or of each other): in the
/// same folder, or one in a `translations` folder beside the other, with the same name but
/// for a language after it (`README.md`, `README-fr.md`, `README.zh_CN.md`,
/// `translations/README-he.md`, `quiz-ptbr.md`).
pub fn translations(a: &Path, b: &Path) -> bool {
    if a == b {
        return false;
    }
    let (Some(ha), Some(hb)) = (home(a), home(b)) else {
        return false;
    };
    if ha != hb {
        return false;
    }
    let stem = |p: &Path| p.file_stem().map(|s| s.to_string_lossy().into_owned());
    let (Some(sa), Some(sb)) = (stem(a), stem(b)) else {
        return false;
    };
    let (sa, sb) = (stems(&sa), stems(&sb));
    let translated = |p: &Path| p.parent() != Some(ha.as_path());
    // One name is the other's with a language, or both are one name's: a plain copy under
    // the same name in `translations/` counts too.
    sa.iter().any(|x| sb.contains(x))
        && (sa.len() > 1 || sb.len() > 1 || translated(a) || translated(b))
}

/// One place a question is asked again: in this note (a line) or in another (its name and
/// line). Lines are 0-based here, 1-based in messages.
pub enum Place<'a> {
    Here(u32),
    /// Another note, by its file name as a person reads it (not percent-encoded).
    Other(std::borrow::Cow<'a, str>, u32),
}

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Here(line) => write!(f, "line {}", line + 1),
            Place::Other(name, line) => write!(f, "{name}:{}", line + 1),
        }
    }
}

/// How many places a message names.
const NAMED: usize = 3;

/// "also asked in concurrency.md:12", "also asked at line 40", "also asked 3 more times:
/// line 40, concurrency.md:12, basics.md:7", "... and 26 more": the message names the places
/// for clients that do not show related information. `n` counts them all; `places` holds
/// at least the first few.
pub fn asked_again<'a>(n: usize, places: impl IntoIterator<Item = Place<'a>>) -> String {
    let named: Vec<String> = places
        .into_iter()
        .take(NAMED)
        .map(|p| p.to_string())
        .collect();
    match (n, named.first()) {
        (1, Some(p)) if p.starts_with("line ") => format!("also asked at {p}"),
        (1, Some(p)) => format!("also asked in {p}"),
        _ if n > named.len() => format!(
            "also asked {n} more times: {} and {} more",
            named.join(", "),
            n - named.len()
        ),
        _ => format!("also asked {n} more times: {}", named.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_items() {
        assert_eq!(task_item("- [ ] `3 == '3'`"), Some("`3 == '3'`"));
        assert_eq!(task_item("  * [x] Boolean(0)"), Some("Boolean(0)"));
        assert_eq!(task_item("- [link](x)"), None);
        assert_eq!(task_item("- plain"), None);
    }

    #[test]
    fn languages() {
        for yes in [
            "fr", "he", "ua", "zh-cn", "zh_cn", "ptbr", "pt-br", "zh-hans", "ja",
        ] {
            assert!(is_language(yes), "{yes}");
        }
        for no in ["quiz", "faq", "js", "notes", "x", "", "zh-c", "fr-fr-fr"] {
            assert!(!is_language(no), "{no}");
        }
    }

    #[test]
    fn translations_of_one_note() {
        let t = |a: &str, b: &str| translations(Path::new(a), Path::new(b));
        assert!(t("/r/README.md", "/r/README-fr.md"));
        assert!(t("/r/README-he.md", "/r/README-fr.md"));
        assert!(t("/r/README.md", "/r/README.zh_CN.md"));
        assert!(t("/r/README.md", "/r/translations/README-fr.md"));
        assert!(t("/r/README.md", "/r/translations/fr/README.md"));
        assert!(t(
            "/r/translations/es/README.md",
            "/r/translations/fr/README.md"
        ));
        assert!(t(
            "/q/js/javascript-quiz.md",
            "/q/js/javascript-quiz-ptbr.md"
        ));
        assert!(t("/q/git/git-quiz.md", "/q/git/git_quiz_fr.md"));
        assert!(t("/q/py/python-quiz.md", "/q/py/python-quiz.ja.md"));
        // Not translations: other names, other folders, the same file.
        assert!(!t("/r/README.md", "/r/README.md"));
        assert!(!t("/r/README.md", "/r/sub/README-fr.md"));
        assert!(!t("/r/a/README.md", "/r/b/README.md"));
        assert!(!t("/q/js/javascript.md", "/q/js/javascript-quiz.md"));
        assert!(!t("/r/python.md", "/r/python-basics.md"));
        assert!(!t("/r/notes.md", "/r/notes-js.md"));
    }

    #[test]
    fn images_alone_on_their_line() {
        assert_eq!(
            image_alone("![Image](images/Q155.png?raw=true)"),
            Some("images/Q155.png?raw=true")
        );
        assert_eq!(image_alone("  ![](a.png \"A chart\")"), Some("a.png"));
        assert_eq!(
            image_alone("<img src=\"b.svg\" width=\"300\">"),
            Some("b.svg")
        );
        assert_eq!(image_alone("See ![x](a.png) here"), None);
        assert_eq!(image_alone("[Reference](https://example.com)"), None);
        assert_eq!(image_alone("![x](a.png) and text"), None);
    }

    #[test]
    fn messages_name_the_places() {
        assert_eq!(
            asked_again(1, [Place::Other("concurrency.md".into(), 11)]),
            "also asked in concurrency.md:12"
        );
        assert_eq!(asked_again(1, [Place::Here(39)]), "also asked at line 40");
        assert_eq!(
            asked_again(2, [Place::Here(39), Place::Other("basics.md".into(), 6)]),
            "also asked 2 more times: line 40, basics.md:7"
        );
        assert_eq!(
            asked_again(29, (0..29).map(Place::Here)),
            "also asked 29 more times: line 1, line 2, line 3 and 26 more"
        );
    }
}
