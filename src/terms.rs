//! Topic terms a note explains: from question and section headings ("What is the GIL?"
//! explains GIL), from acronyms spelled out in them ("Global Interpreter Lock (GIL)"), and from
//! definition lines in answers (`**Concurrency** refers to ...`, `` `Atomicity:` A ... ``).

/// Lower-case, whitespace collapsed, the last word in the singular: how terms are looked
/// up ("decorators" is explained where "decorator" is hovered).
pub fn key(term: &str) -> String {
    let mut words: Vec<String> = term.split_whitespace().map(str::to_lowercase).collect();
    if let Some(last) = words.last_mut() {
        *last = singular(last);
    }
    words.join(" ")
}

/// The English singular of a lower-case word, by its ending (a guess: both sides of a
/// lookup go through it, so a wrong guess still matches itself).
fn singular(w: &str) -> String {
    let n = w.chars().count();
    if n <= 3 || !w.chars().all(char::is_alphabetic) {
        return w.to_string();
    }
    if let Some(stem) = w.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for ending in ["sses", "xes", "ches", "shes", "zzes"] {
        if let Some(stem) = w.strip_suffix(ending) {
            return format!("{stem}{}", &ending[..ending.len() - 2]);
        }
    }
    if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        return w.to_string();
    }
    w.strip_suffix('s').unwrap_or(w).to_string()
}

/// Escapes what would turn a title into emphasis or a link inside a hover.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '*' | '_' | '[' | ']' | '`' | '<') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The hover of a term explained in `places`, best first, as (breadcrumb, text): each
/// explanation under its own breadcrumb, at most `max` of them; places with no text, or
/// the same text as one shown, are left out. `None` when no place has any text.
pub fn explanations<'a>(
    places: impl IntoIterator<Item = (&'a str, &'a str)>,
    max: usize,
) -> Option<String> {
    let mut shown: Vec<&str> = Vec::new();
    let mut out = String::new();
    let mut more = 0;
    for (breadcrumb, text) in places {
        let text = text.trim();
        if text.is_empty() || text == "…" || shown.contains(&text) {
            continue;
        }
        if shown.len() == max {
            more += 1;
            continue;
        }
        if !shown.is_empty() {
            out.push_str("\n\n---\n\n");
        }
        out.push_str(&format!("_{}_\n\n{text}", escape(breadcrumb)));
        shown.push(text);
    }
    if more > 0 {
        out.push_str(&format!(
            "\n\n---\n\nAlso explained in {more} more place{}.",
            if more == 1 { "" } else { "s" }
        ));
    }
    (!shown.is_empty()).then_some(out)
}

/// Drops a question number or label (`5. `, `Q12. `).
fn strip_number(title: &str) -> &str {
    let t = title.trim_start();
    let t2 = t.strip_prefix(['Q', 'q']).unwrap_or(t);
    let digits = t2.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && t2[digits..].starts_with(['.', ')', ':']) {
        return t2[digits + 1..].trim_start();
    }
    t
}

fn is_acronym(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    (2..=8).contains(&s.chars().count())
        && letters >= 2
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '&')
}

/// Whether the words of `long` start with the letters of `acronym`, in order.
fn initials_match(acronym: &str, long: &str) -> bool {
    let initials: String = long
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase())
        .collect();
    let letters: String = acronym.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty() && initials == letters
}

/// A term should be a short noun phrase, not a sentence.
fn plausible(term: &str) -> bool {
    let words = term.split_whitespace().count();
    (1..=5).contains(&words) && term.chars().any(char::is_alphanumeric)
}

/// Terms a heading explains.
pub fn from_heading(title: &str, question: bool) -> Vec<String> {
    let mut out = Vec::new();
    let t = strip_number(title);
    // "Long Name (ABC)": both the acronym and what it stands for.
    let mut rest = t;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        let inner = rest[open + 1..open + close].trim();
        let before = rest[..open].split_whitespace().last().unwrap_or("");
        if is_acronym(before) && !is_acronym(inner) && initials_match(before, inner) {
            // "GIL (Global Interpreter Lock)".
            out.push(before.to_string());
            out.push(inner.to_string());
        } else if is_acronym(inner) {
            out.push(inner.to_string());
            let n = inner.chars().filter(|c| c.is_alphabetic()).count();
            let words: Vec<&str> = rest[..open].split_whitespace().collect();
            if words.len() >= n {
                let long = words[words.len() - n..].join(" ");
                if long.chars().next().is_some_and(char::is_uppercase) {
                    out.push(long);
                }
            }
        }
        rest = &rest[open + close + 1..];
    }
    if question {
        let lower = t.to_lowercase();
        for lead in ["what is ", "what are ", "what's ", "what does ", "define "] {
            if let Some(pos) = lower.find(lead)
                && pos == 0
            {
                let mut subject = &t[lead.len()..];
                for article in ["a ", "an ", "the ", "A ", "An ", "The "] {
                    subject = subject.strip_prefix(article).unwrap_or(subject);
                }
                let end = subject
                    .find(['?', ',', '(', ':', '？'])
                    .into_iter()
                    .chain(
                        [" and ", " in ", " mean", " do ", " used", " work"]
                            .iter()
                            .filter_map(|w| subject.find(w)),
                    )
                    .min()
                    .unwrap_or(subject.len());
                let subject = subject[..end].trim().trim_matches(['`', '"', '\'']);
                if plausible(subject) {
                    out.push(subject.to_string());
                }
            }
        }
    } else {
        let t = t.trim_end_matches([':', '：']).trim();
        if plausible(t) && t.split_whitespace().count() <= 3 {
            out.push(t.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A definition line: `**Term** is/refers to ...`, `**Term:** ...`, `` `Term:` ... ``.
/// Returns the term and the byte offset where the definition text starts.
pub fn from_definition(para: &str) -> Option<(String, usize)> {
    let (open, close) = if para.starts_with("**") {
        ("**", "**")
    } else if para.starts_with('`') {
        ("`", "`")
    } else {
        return None;
    };
    let inner_end = para[open.len()..].find(close)? + open.len();
    let inner = &para[open.len()..inner_end];
    let after = &para[inner_end + close.len()..];
    let (term, colon_inside) = match inner.trim_end().strip_suffix(':') {
        Some(t) => (t.trim(), true),
        None => (inner.trim(), false),
    };
    let after_trim = after.trim_start();
    let defines = colon_inside
        || after_trim.starts_with(':')
        || after_trim.starts_with('-')
        || after_trim.starts_with('—')
        || ["is ", "are ", "refers to", "means ", "describes "]
            .iter()
            .any(|w| after_trim.starts_with(w));
    if !defines || !plausible(term) || term.ends_with('?') {
        return None;
    }
    Some((term.to_string(), inner_end + close.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_terms() {
        assert_eq!(
            from_heading(
                "2. What is the GIL (Global Interpreter Lock), and how does it work?",
                true
            ),
            ["GIL", "Global Interpreter Lock"]
        );
        assert_eq!(from_heading("What is a metaclass?", true), ["metaclass"]);
        assert_eq!(
            from_heading("Concurrency and Parallelism", false),
            ["Concurrency and Parallelism"]
        );
        assert!(from_heading("How do you do multithreading in python?", true).is_empty());
    }

    #[test]
    fn keys_match_singular_and_plural() {
        assert_eq!(key("Decorators"), key("decorator"));
        assert_eq!(key("metaclasses"), key("metaclass"));
        assert_eq!(key("properties"), key("property"));
        assert_eq!(key("Global  Interpreter Locks"), "global interpreter lock");
        assert_eq!(key("process"), "process");
        assert_eq!(key("GIL"), "gil");
        assert_eq!(key("asyncio"), "asyncio");
    }

    #[test]
    fn explanations_each_under_its_breadcrumb() {
        let md = explanations(
            [
                (
                    "basics.md › What is the GIL?",
                    "A lock around the interpreter.",
                ),
                ("basics.md › Threads", ""),
                ("advanced.md › 5. Explain the GIL", "…"),
                (
                    "advanced.md › 2. What is the GIL?",
                    "A lock around the interpreter.",
                ),
                (
                    "advanced.md › 7. The GIL again",
                    "One thread runs bytecode at a time.",
                ),
            ],
            3,
        )
        .unwrap();
        assert_eq!(
            md,
            "_basics.md › What is the GIL?_\n\nA lock around the interpreter.\n\n---\n\n\
             _advanced.md › 7. The GIL again_\n\nOne thread runs bytecode at a time."
        );
        assert_eq!(explanations([("a.md › x_y", " ")], 3), None);
        let many = explanations(
            (0..5).map(|_| ("a.md", "text")).chain([("b.md", "other")]),
            1,
        );
        assert_eq!(
            many.as_deref(),
            Some("_a.md_\n\ntext\n\n---\n\nAlso explained in 1 more place.")
        );
    }

    #[test]
    fn definition_lines() {
        assert_eq!(
            from_definition("**Concurrency** refers to switching between tasks."),
            Some(("Concurrency".into(), 15))
        );
        assert_eq!(
            from_definition("`Atomicity:` A transaction is all or nothing."),
            Some(("Atomicity".into(), 12))
        );
        assert_eq!(
            from_definition("**Memory Overhead:** Each process ..."),
            Some(("Memory Overhead".into(), 20))
        );
        assert_eq!(from_definition("**Why is it slow?**"), None);
        assert_eq!(from_definition("`x = 1` sets x"), None);
    }
}
