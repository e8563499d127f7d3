//! String literals whose escapes CPython cannot decode.

use super::*;

/// A string literal whose escapes CPython cannot decode, reported at the literal.
pub(super) fn string_error(cx: &Cx, pos: usize, kind: &ParseErrorType) -> Option<Translated> {
    let i = cx.tokens.iter().position(|t| {
        t.start <= pos && pos <= t.end && matches!(t.kind, Kind::String | Kind::FStringMiddle)
    })?;
    let token = cx.tokens[i];
    let message = if matches!(
        kind,
        ParseErrorType::Lexical(LexicalErrorType::InvalidByteLiteral)
    ) {
        "bytes can only contain ASCII literal characters".to_string()
    } else {
        let (prefix, body) = if token.kind == Kind::String {
            let text = cx.str(i);
            let quote = text.find(['\'', '"'])?;
            let q = if text[quote..].starts_with("\"\"\"") || text[quote..].starts_with("'''") {
                3
            } else {
                1
            };
            let body_start = quote + q;
            let body_end = text.len().checked_sub(q)?.max(body_start);
            (
                text[..quote].to_ascii_lowercase(),
                &text[body_start..body_end],
            )
        } else {
            // Middle of an f-string: the flags are those of the f-string it belongs to.
            let mut depth = 0usize;
            let mut j = i;
            let start = loop {
                j = j.checked_sub(1)?;
                match cx.kind(j) {
                    Some(Kind::FStringEnd) => depth += 1,
                    Some(Kind::FStringStart) if depth == 0 => break j,
                    Some(Kind::FStringStart) => depth -= 1,
                    _ => {}
                }
            };
            let text = cx.str(start);
            let quote = text.find(['\'', '"'])?;
            (text[..quote].to_ascii_lowercase(), cx.str(i))
        };
        if prefix.contains('r') {
            return None;
        }
        let offset = pos.saturating_sub(token.start);
        decode_error(body, prefix.contains('b'), offset)?
    };
    let mut t = translated(Error::new(token.start, token.end, message), token.start);
    t.furthest = token.end;
    Some(t)
}

/// The error CPython's unicode-escape (or bytes) decoder raises for a literal's body, if any.
/// `suspect` is where ruff saw an error, which decides which `\N{...}` name is unknown.
pub(super) fn decode_error(body: &str, bytes: bool, suspect: usize) -> Option<String> {
    // CPython first re-encodes non-ASCII characters as `\UXXXXXXXX` (and a backslash before
    // one as `\u005c`), which shifts the positions it reports.
    let mut buf: Vec<u8> = Vec::with_capacity(body.len());
    let mut origin: Vec<usize> = Vec::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((mut at, mut c)) = chars.next() {
        if c == '\\' && !bytes {
            buf.push(b'\\');
            origin.push(at);
            let Some((next_at, next)) = chars.next() else {
                break;
            };
            if !next.is_ascii() {
                buf.extend_from_slice(b"u005c");
                origin.extend([at; 5]);
            }
            at = next_at;
            c = next;
        }
        if c.is_ascii() || bytes {
            let mut tmp = [0u8; 4];
            for &b in c.encode_utf8(&mut tmp).as_bytes() {
                buf.push(b);
                origin.push(at);
            }
        } else {
            buf.extend_from_slice(format!("\\U{:08x}", u32::from(c)).as_bytes());
            origin.extend([at; 10]);
        }
    }
    let n = buf.len();
    let fail = |s: usize, e: usize, reason: &str| {
        Some(format!(
            "(unicode error) 'unicodeescape' codec can't decode bytes in position {s}-{e}: {reason}"
        ))
    };
    let mut i = 0;
    while i < n {
        if buf[i] != b'\\' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let Some(&c) = buf.get(i) else {
            break;
        };
        i += 1;
        let digits = match c {
            b'x' => 2,
            b'u' if !bytes => 4,
            b'U' if !bytes => 8,
            b'N' if !bytes => {
                if buf.get(i) != Some(&b'{') {
                    return fail(start, i - 1, "malformed \\N character escape");
                }
                let Some(close) = buf[i..].iter().position(|&b| b == b'}') else {
                    return fail(start, n - 1, "malformed \\N character escape");
                };
                let end = i + close;
                if close == 1 {
                    return fail(start, end, "malformed \\N character escape");
                }
                // Names cannot be checked here; ruff did, and pointed inside this one.
                let (from, to) = (origin[start], origin[end] + 1);
                if (from..=to).contains(&suspect) {
                    return fail(start, end, "unknown Unicode character name");
                }
                i = end + 1;
                continue;
            }
            _ => continue,
        };
        let mut j = i;
        while j < n && j < i + digits && buf[j].is_ascii_hexdigit() {
            j += 1;
        }
        if j < i + digits {
            if bytes {
                return Some(format!(
                    "(value error) invalid \\x escape at position {start}"
                ));
            }
            let reason = match digits {
                2 => "truncated \\xXX escape",
                4 => "truncated \\uXXXX escape",
                _ => "truncated \\UXXXXXXXX escape",
            };
            return fail(start, j.saturating_sub(1).max(start), reason);
        }
        if digits == 8 {
            let value = std::str::from_utf8(&buf[i..j])
                .ok()
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .unwrap_or(0);
            if value > 0x10_ffff {
                return fail(start, j - 1, "illegal Unicode character");
            }
        }
        i = j;
    }
    None
}
