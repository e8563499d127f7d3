//! JSON kept with its repeated pieces stored once. A note's duplicate-question diagnostics
//! point at the same few other notes over and over: each related location spells out the
//! other note's URI and the same message, with the JSON of a range around four numbers.
//! As written, they were 2.5x the note's text (every question of a 474 KB note asked in 49
//! others); packed, a related location is its URI's and its message's indices in a list of
//! strings kept once and its four numbers, about ten bytes.

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

/// Bytes of JSON written by serde_json, with each related location kept as indices and
/// numbers (see the module's comment).
#[derive(Default)]
pub struct Packed {
    /// The JSON with each related location replaced by its record: the URI's and the
    /// message's indices in `pieces` (two bytes each, little-endian), then the four numbers
    /// as LEB128.
    bytes: Vec<u8>,
    /// Where those records are in `bytes`, in order: the JSON is written out on every
    /// message, and not scanned for them.
    marks: Vec<u32>,
    pieces: Vec<Box<[u8]>>,
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

fn push_leb128(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_leb128(bytes: &[u8], at: &mut usize) -> u32 {
    let mut n = 0u32;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        n |= u32::from(b & 0x7f) << shift;
        if b < 0x80 {
            return n;
        }
        shift += 7;
    }
}

impl Packed {
    pub fn pack(json: &[u8]) -> Packed {
        let mut bytes = Vec::with_capacity(json.len() / 4);
        let mut pieces: Vec<Box<[u8]>> = Vec::new();
        let mut marks = Vec::new();
        let mut index: HashMap<&[u8], u16> = HashMap::new();
        let mut from = 0;
        let mut at = 0;
        while let Some(i) = memchr::memchr(b'{', &json[at..]) {
            let start = at + i;
            at = start + 1;
            let Some(Related {
                uri,
                message,
                numbers,
                len,
            }) = related_location(&json[start..])
            else {
                continue;
            };
            let Ok(mark) = u32::try_from(bytes.len() + start - from) else {
                break;
            };
            if pieces.len() + 2 > usize::from(u16::MAX) + 1 {
                // Out of indices: the rest is kept as written.
                break;
            }
            let mut k = [0u16; 2];
            for (k, s) in k.iter_mut().zip([uri, message]) {
                *k = *index.entry(s).or_insert_with(|| {
                    pieces.push(s.into());
                    (pieces.len() - 1) as u16
                });
            }
            bytes.extend_from_slice(&json[from..start]);
            marks.push(mark);
            bytes.extend_from_slice(&k[0].to_le_bytes());
            bytes.extend_from_slice(&k[1].to_le_bytes());
            for n in numbers {
                push_leb128(&mut bytes, n);
            }
            from = start + len;
            at = from;
        }
        bytes.extend_from_slice(&json[from..]);
        bytes.shrink_to_fit();
        marks.shrink_to_fit();
        pieces.shrink_to_fit();
        Packed {
            bytes,
            marks,
            pieces,
            len: json.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends the JSON, unpacked, to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.reserve(self.len);
        let mut from = 0;
        for &at in &self.marks {
            let mut at = at as usize;
            out.extend_from_slice(&self.bytes[from..at]);
            let uri = u16::from_le_bytes([self.bytes[at], self.bytes[at + 1]]);
            let message = u16::from_le_bytes([self.bytes[at + 2], self.bytes[at + 3]]);
            at += 4;
            out.extend_from_slice(URI);
            out.extend_from_slice(&self.pieces[usize::from(uri)]);
            for before in [START, CHARACTER, END, CHARACTER] {
                out.extend_from_slice(before);
                let n = read_leb128(&self.bytes, &mut at);
                out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
            }
            out.extend_from_slice(MESSAGE);
            out.extend_from_slice(&self.pieces[usize::from(message)]);
            out.extend_from_slice(CLOSE);
            from = at;
        }
        out.extend_from_slice(&self.bytes[from..]);
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
            + self.packed.as_ref().map_or(0, |p| {
                p.bytes.capacity()
                    + 4 * p.marks.capacity()
                    + p.pieces.iter().map(|x| x.len() + 16).sum::<usize>()
            })
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
        // Ten URIs and one message.
        assert_eq!(p.pieces.len(), 11);
        assert_eq!(p.marks.len(), 3000);
        assert!(
            p.bytes.len() * 5 < json.len(),
            "{} of {}",
            p.bytes.len(),
            json.len()
        );
    }

    #[test]
    fn anything_else_comes_back_unchanged() {
        let cases: [&[u8]; 12] = [
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
    fn more_pieces_than_one_byte_can_number_and_more_than_two_bytes_can_are_kept_as_written() {
        let one = |n: usize| {
            format!(
                r#"{{"location":{{"uri":"u{n}","range":{{"start":{{"line":{n},"character":0}},"end":{{"line":0,"character":128}}}}}},"message":"m{}"}}"#,
                n % 7
            )
        };
        // 300 distinct URIs: indices past 255 take both bytes of an index.
        let json = (0..300).map(one).collect::<Vec<_>>().join(",");
        let p = Packed::pack(json.as_bytes());
        assert_eq!(p.pieces.len(), 307);
        assert_eq!(p.marks.len(), 300);
        assert_eq!(unpacked(&p), json.as_bytes());
        // More strings than two bytes number: those past the last index stay as written.
        let json = (0..70_000).map(one).collect::<Vec<_>>().join(",");
        let p = Packed::pack(json.as_bytes());
        assert!(p.pieces.len() <= 65_536 && p.marks.len() > 65_000 && p.marks.len() < 70_000);
        assert_eq!(unpacked(&p), json.as_bytes());
    }
}
