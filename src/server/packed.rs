//! JSON kept with its repeated pieces stored once. A note's duplicate-question diagnostics
//! point at the same few other notes over and over: each related location spells out the
//! other note's URI and the same message, with the JSON of a range around four numbers, and
//! each diagnostic's own JSON is the same few runs of text around numbers (its range, the
//! lines its message names). As written, they were 2.5x the note's text (every question of
//! a 474 KB note asked in 49 others); packed, the JSON is a list of tokens: a run of text
//! between numbers as its index in a list of runs kept once, a number as itself, a related
//! location as its URI's and message's indices and its four numbers.

use std::collections::HashMap;

/// A related location as serde_json writes one, in five parts around two strings (no
/// escapes in them) and four numbers: `{"location":{"uri":"U","range":{"start":{"line":A,
/// "character":B},"end":{"line":C,"character":D}}},"message":"M"}`.
const URI: &[u8] = br#"{"location":{"uri":""#;
const START: &[u8] = br#"","range":{"start":{"line":"#;
const CHARACTER: &[u8] = br#","character":"#;
const END: &[u8] = br#"},"end":{"line":"#;
const MESSAGE: &[u8] = br#"}}},"message":""#;
const CLOSE: &[u8] = br#""}"#;

/// What a token is, in its two low bits ([`Packed::tokens`]).
const RUN: u64 = 0;
const NUMBER: u64 = 1;
const RELATED: u64 = 2;

/// Digits a number token may have: as written in decimal it comes back the same (no leading
/// zero), and shifted by the token's two bits it fits a u64.
const MAX_DIGITS: usize = 18;

/// Bytes of JSON written by serde_json, kept as tokens (see the module's comment).
#[derive(Default)]
pub struct Packed {
    /// The JSON as LEB128 numbers, each a token: its two low bits say what it is ([`RUN`],
    /// [`NUMBER`], [`RELATED`]), the rest its value: a run's index in `runs`, the number, a
    /// related location's URI's index in `runs` (its message's index and its four numbers
    /// follow, each a LEB128 number of its own).
    tokens: Vec<u8>,
    /// The distinct runs of text (and related locations' URIs and messages), one after the
    /// other in `text`: where each ends there.
    text: Vec<u8>,
    ends: Vec<usize>,
    /// The length of the JSON unpacked.
    len: usize,
}

/// A related location's parts: its URI, its message, its four numbers, and its length.
struct Related<'j> {
    uri: &'j [u8],
    message: &'j [u8],
    numbers: [u32; 4],
    len: usize,
}

/// The related location that `json` starts with, if it starts with one.
fn related_location(json: &[u8]) -> Option<Related<'_>> {
    let string = |rest: &[u8]| -> Option<usize> {
        let quote = memchr::memchr2(b'"', b'\\', rest)?;
        (rest[quote] == b'"').then_some(quote)
    };
    // A number as serde_json writes a u32: digits, no leading zero.
    let number = |rest: &[u8]| -> Option<(u32, usize)> {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 10 || (digits > 1 && rest[0] == b'0') {
            return None;
        }
        let n: u64 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
        Some((u32::try_from(n).ok()?, digits))
    };
    let mut at = URI.len();
    if !json.starts_with(URI) {
        return None;
    }
    let uri_len = string(&json[at..])?;
    let uri = &json[at..at + uri_len];
    at += uri_len;
    let mut numbers = [0; 4];
    for (k, before) in [START, CHARACTER, END, CHARACTER].into_iter().enumerate() {
        at += json[at..].starts_with(before).then_some(before.len())?;
        let (n, digits) = number(&json[at..])?;
        numbers[k] = n;
        at += digits;
    }
    at += json[at..].starts_with(MESSAGE).then_some(MESSAGE.len())?;
    let message_len = string(&json[at..])?;
    let message = &json[at..at + message_len];
    at += message_len;
    at += json[at..].starts_with(CLOSE).then_some(CLOSE.len())?;
    Some(Related {
        uri,
        message,
        numbers,
        len: at,
    })
}

fn push_leb128(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_leb128(bytes: &[u8], at: &mut usize) -> u64 {
    let mut n = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        n |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return n;
        }
        shift += 7;
    }
}

/// Strings kept once while packing: each one's index in [`Packed::ends`].
struct Runs<'j> {
    index: HashMap<&'j [u8], u64>,
}

impl<'j> Runs<'j> {
    /// `s`'s index, kept in `p` the first time.
    fn of(&mut self, p: &mut Packed, s: &'j [u8]) -> u64 {
        *self.index.entry(s).or_insert_with(|| {
            p.text.extend_from_slice(s);
            p.ends.push(p.text.len());
            (p.ends.len() - 1) as u64
        })
    }

    /// Appends the token of the run of text `s`, if it is not empty.
    fn push(&mut self, p: &mut Packed, s: &'j [u8]) {
        if !s.is_empty() {
            let k = self.of(p, s);
            push_leb128(&mut p.tokens, (k << 2) | RUN);
        }
    }
}

impl Packed {
    pub fn pack(json: &[u8]) -> Packed {
        let mut p = Packed {
            tokens: Vec::with_capacity(json.len() / 8),
            ..Packed::default()
        };
        let mut runs = Runs {
            index: HashMap::new(),
        };
        // Where the run of text not yet tokened starts.
        let mut from = 0;
        let mut at = 0;
        while at < json.len() {
            let b = json[at];
            if b == b'{'
                && let Some(r) = related_location(&json[at..])
            {
                runs.push(&mut p, &json[from..at]);
                let uri = runs.of(&mut p, r.uri);
                let message = runs.of(&mut p, r.message);
                push_leb128(&mut p.tokens, (uri << 2) | RELATED);
                push_leb128(&mut p.tokens, message);
                for n in r.numbers {
                    push_leb128(&mut p.tokens, n.into());
                }
                at += r.len;
                from = at;
            } else if b.is_ascii_digit() {
                let digits = json[at..].iter().take_while(|b| b.is_ascii_digit()).count();
                // Written back in decimal, a leading zero would be lost: such digits stay text.
                if digits <= MAX_DIGITS && (digits == 1 || b != b'0') {
                    runs.push(&mut p, &json[from..at]);
                    let n = json[at..at + digits]
                        .iter()
                        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
                    push_leb128(&mut p.tokens, (n << 2) | NUMBER);
                    from = at + digits;
                }
                at += digits;
            } else {
                at += 1;
            }
        }
        runs.push(&mut p, &json[from..]);
        p.tokens.shrink_to_fit();
        p.text.shrink_to_fit();
        p.ends.shrink_to_fit();
        p.len = json.len();
        p
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The heap it holds.
    fn held(&self) -> usize {
        self.tokens.capacity()
            + self.text.capacity()
            + self.ends.capacity() * std::mem::size_of::<usize>()
    }

    /// The string kept at index `k`.
    fn run(&self, k: u64) -> &[u8] {
        let k = k as usize;
        let from = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.text[from..self.ends[k]]
    }

    /// Appends the JSON, unpacked, to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.reserve(self.len);
        let mut number = itoa::Buffer::new();
        let mut at = 0;
        while at < self.tokens.len() {
            let token = read_leb128(&self.tokens, &mut at);
            match token & 3 {
                RUN => out.extend_from_slice(self.run(token >> 2)),
                NUMBER => out.extend_from_slice(number.format(token >> 2).as_bytes()),
                _ => {
                    let message = read_leb128(&self.tokens, &mut at);
                    out.extend_from_slice(URI);
                    out.extend_from_slice(self.run(token >> 2));
                    for before in [START, CHARACTER, END, CHARACTER] {
                        out.extend_from_slice(before);
                        let n = read_leb128(&self.tokens, &mut at);
                        out.extend_from_slice(number.format(n).as_bytes());
                    }
                    out.extend_from_slice(MESSAGE);
                    out.extend_from_slice(self.run(message));
                    out.extend_from_slice(CLOSE);
                }
            }
        }
    }
}

/// JSON written out into every message: as written while the note is typed in (a keystroke
/// then copies it whole, as fast as before it was packed), packed otherwise.
pub struct Json {
    plain: Option<Vec<u8>>,
    packed: Option<Packed>,
}

impl Json {
    pub fn new(json: Vec<u8>) -> Json {
        Json {
            plain: Some(json),
            packed: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        match (&self.plain, &self.packed) {
            (Some(plain), _) => plain.is_empty(),
            (None, Some(packed)) => packed.is_empty(),
            (None, None) => true,
        }
    }

    /// The heap it holds.
    pub fn held(&self) -> usize {
        self.plain.as_ref().map_or(0, |p| p.capacity())
            + self.packed.as_ref().map_or(0, Packed::held)
    }

    /// Appends the JSON to `out`, and keeps it as written if `typing`, else packed only.
    pub fn write_to(&mut self, out: &mut Vec<u8>, typing: bool) {
        if typing {
            let plain = self.plain.get_or_insert_with(|| {
                let mut plain = Vec::new();
                if let Some(packed) = &self.packed {
                    packed.write_to(&mut plain);
                }
                plain
            });
            out.extend_from_slice(plain);
            return;
        }
        match self.plain.take() {
            Some(plain) => {
                out.extend_from_slice(&plain);
                if self.packed.is_none() {
                    self.packed = Some(Packed::pack(&plain));
                }
            }
            None => {
                if let Some(packed) = &self.packed {
                    packed.write_to(out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unpacked(p: &Packed) -> Vec<u8> {
        let mut out = b"x".to_vec();
        p.write_to(&mut out);
        assert_eq!(out.len(), 1 + p.len);
        out.split_off(1)
    }

    /// How many tokens of each kind (runs, numbers, related locations) `p` holds.
    fn kinds(p: &Packed) -> [usize; 3] {
        let mut counts = [0; 3];
        let mut at = 0;
        while at < p.tokens.len() {
            let token = read_leb128(&p.tokens, &mut at);
            counts[(token & 3) as usize] += 1;
            if token & 3 == RELATED {
                for _ in 0..5 {
                    read_leb128(&p.tokens, &mut at);
                }
            }
        }
        counts
    }

    fn packed_len(p: &Packed) -> usize {
        p.tokens.len() + p.text.len() + p.ends.len() * 8
    }

    #[test]
    fn related_locations_are_kept_once_and_come_back_as_written() {
        let one = |uri: &str, line: u32| {
            format!(
                r#"{{"location":{{"uri":"{uri}","range":{{"start":{{"line":{line},"character":7}},"end":{{"line":{},"character":{}}}}}}},"message":"also asked here"}}"#,
                line.wrapping_mul(2_654_435_761),
                u32::MAX - line,
            )
        };
        let mut json = String::new();
        for d in 0..300u32 {
            if d > 0 {
                json.push(',');
            }
            let related: Vec<String> = (0..10)
                .map(|n| one(&format!("file:///notes/copy-{n:02}.md"), d * 3))
                .collect();
            json.push_str(&format!(
                r#"{{"range":{{"start":{{"line":{d},"character":0}},"end":{{"line":{d},"character":9}}}},"severity":3,"message":"also asked 10 more times","relatedInformation":[{}]}}"#,
                related.join(",")
            ));
        }
        let p = Packed::pack(json.as_bytes());
        assert_eq!(unpacked(&p), json.as_bytes());
        assert_eq!(kinds(&p)[RELATED as usize], 3000);
        // Ten URIs, one message, and the few runs of each diagnostic's own JSON.
        assert!(p.ends.len() < 25, "{} strings", p.ends.len());
        assert!(
            packed_len(&p) * 8 < json.len(),
            "{} of {}",
            packed_len(&p),
            json.len()
        );
    }

    /// A diagnostic's own JSON (its range, the lines its message names) is runs of text
    /// kept once around numbers kept as numbers.
    #[test]
    fn diagnostics_are_kept_as_runs_and_numbers() {
        let mut json = String::new();
        for d in 0..500u32 {
            if d > 0 {
                json.push(',');
            }
            json.push_str(&format!(
                r#"{{"range":{{"start":{{"line":{},"character":0}},"end":{{"line":{},"character":{}}}}},"severity":2,"code":"duplicate-question","source":"notes-lsp","message":"also asked 3 more times: line {}, basics.md:{}, Q{} notes 2024.md:{}"}}"#,
                d * 40,
                d * 40 + 1,
                d % 90,
                d * 40 + 7,
                d + 1,
                d % 3,
                d * 11,
            ));
        }
        let p = Packed::pack(json.as_bytes());
        assert_eq!(unpacked(&p), json.as_bytes());
        let [runs, numbers, related] = kinds(&p);
        assert_eq!((runs, numbers, related), (500 * 11 + 1, 500 * 11, 0));
        assert!(p.ends.len() < 15, "{} strings", p.ends.len());
        assert!(
            packed_len(&p) * 5 < json.len(),
            "{} of {}",
            packed_len(&p),
            json.len()
        );
    }

    #[test]
    fn anything_else_comes_back_unchanged() {
        let cases: [&[u8]; 17] = [
            b"0",
            b"007,0,10,x00y",
            b"123456789012345678,1234567890123456789,99999999999999999999",
            br#""line":18446744073709551615}"#,
            "\u{e9}2\u{1F600}3".as_bytes(),
            b"",
            b"{}",
            br#"{"location":{"uri":"#,
            br#"{"location":{"uri":"a\"b","range":{"start":{"line":1,"character":2},"end":{"line":3,"character":4}}},"message":"m"}"#,
            br#"{"location":{"uri":"ab","range":{"start":{"line":01,"character":2},"end":{"line":3,"character":4}}},"message":"m"}"#,
            br#"{"location":{"uri":"ab","range":{"start":{"line":4294967296,"character":2},"end":{"line":3,"character":4}}},"message":"m"}"#,
            br#"{"location":{"uri":"ab","range":{"start":{"line":-1,"character":2},"end":{"line":3,"character":4}}},"message":"m"}"#,
            br#"{"location":{"uri":"ab","range":{"start":{"line":1,"character":2},"end":{"line":3,"character":4}}},"message":"m\u0000"}"#,
            br#"{"location":{"uri":"ab","range":{"start":{"line":1,"character":2},"end":{"line":3,"character":4}}},"message":"m"#,
            br#"{"location":{"uri":"ab","range":{"end":{"line":1}}}"#,
            br#"[{"a":1},"message":"x"}]"#,
            br#"},"message":"a\u0000b"},"message":"a\u0000b"}"#,
        ];
        for json in cases {
            let p = Packed::pack(json);
            assert_eq!(unpacked(&p), json, "{}", String::from_utf8_lossy(json));
        }
    }

    #[test]
    fn kept_json_is_written_alike_typed_in_or_not() {
        let json =
            br#"[{"location":{"uri":"file:///a.md","range":{"start":{"line":1}}},"message":"m"}]"#;
        let mut kept = Json::new(json.to_vec());
        for typing in [false, false, true, true, false, true] {
            let mut out = Vec::new();
            kept.write_to(&mut out, typing);
            assert_eq!(out, json, "typing {typing}");
            assert_eq!(kept.plain.is_some(), typing);
            assert!(!kept.is_empty());
        }
        assert!(Json::new(Vec::new()).is_empty());
    }

    #[test]
    fn strings_past_any_byte_count_are_numbered() {
        let one = |n: usize| {
            format!(
                r#"{{"location":{{"uri":"u{n}","range":{{"start":{{"line":{n},"character":0}},"end":{{"line":0,"character":128}}}}}},"message":"m{}"}}"#,
                n % 7
            )
        };
        // Distinct URIs past what one and two bytes number, and the seven messages and the
        // comma between the locations.
        for n in [300, 70_000] {
            let json = (0..n).map(one).collect::<Vec<_>>().join(",");
            let p = Packed::pack(json.as_bytes());
            assert_eq!(p.ends.len(), n + 8);
            assert_eq!(kinds(&p), [n - 1, 0, n]);
            assert_eq!(unpacked(&p), json.as_bytes());
        }
    }
}
