//! JSON kept with its repeated pieces stored once. A note's duplicate-question diagnostics
//! point at the same few other notes over and over: each related location spells out the
//! other note's URI with the JSON around it, and says the same message. Json as written,
//! they were 2.5x the note's text (every question of a 474 KB note asked in 49 others);
//! packed, each such piece is two bytes and its place in a list.

use std::collections::HashMap;

/// Where a repeated piece starts, and what ends it (included in it): a related location's
/// URI up to its range's first line number, and its message to the end of the object.
const PIECES: [(&[u8], &[u8]); 2] = [
    (
        br#"{"location":{"uri":""#,
        br#"","range":{"start":{"line":"#,
    ),
    (br#"},"message":""#, br#""}"#),
];

/// Bytes of JSON written by serde_json, with the pieces [`PIECES`] describes kept once.
#[derive(Default)]
pub struct Packed {
    /// The JSON with each piece kept once replaced by its index (two bytes, little-endian).
    bytes: Vec<u8>,
    /// Where those indices are in `bytes`, in order: the JSON is written out on every
    /// keystroke, and not scanned for them.
    marks: Vec<u32>,
    pieces: Vec<Box<[u8]>>,
    /// The length of the JSON unpacked.
    len: usize,
}

impl Packed {
    pub fn pack(json: &[u8]) -> Packed {
        let mut bytes = Vec::with_capacity(json.len() / 2);
        let mut pieces: Vec<Box<[u8]>> = Vec::new();
        let mut marks = Vec::new();
        let mut index: HashMap<&[u8], u16> = HashMap::new();
        let mut from = 0;
        let mut at = 0;
        while let Some(i) = memchr::memchr2(b'{', b'}', &json[at..]) {
            let start = at + i;
            at = start + 1;
            let Some(end) = piece_end(&json[start..]) else {
                continue;
            };
            let piece = &json[start..start + end];
            let Ok(mark) = u32::try_from(bytes.len() + start - from) else {
                break;
            };
            let k = match index.get(piece) {
                Some(&k) => k,
                None => {
                    let Ok(k) = u16::try_from(pieces.len()) else {
                        continue;
                    };
                    pieces.push(piece.into());
                    index.insert(piece, k);
                    k
                }
            };
            bytes.extend_from_slice(&json[from..start]);
            marks.push(mark);
            bytes.extend_from_slice(&k.to_le_bytes());
            from = start + end;
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
            let at = at as usize;
            out.extend_from_slice(&self.bytes[from..at]);
            let k = u16::from_le_bytes([self.bytes[at], self.bytes[at + 1]]);
            out.extend_from_slice(&self.pieces[usize::from(k)]);
            from = at + 2;
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

/// The length of the repeated piece `json` starts with, if it starts with one: a string
/// without escapes between one of [`PIECES`]' starts and its end.
fn piece_end(json: &[u8]) -> Option<usize> {
    PIECES.iter().find_map(|&(start, end)| {
        let rest = json.strip_prefix(start)?;
        let quote = memchr::memchr2(b'"', b'\\', rest)?;
        rest[quote..]
            .starts_with(end)
            .then(|| start.len() + quote + end.len())
    })
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
                r#"{{"location":{{"uri":"{uri}","range":{{"start":{{"line":{line},"character":7}},"end":{{"line":{line},"character":53}}}}}},"message":"also asked here"}}"#
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
        assert!(
            p.bytes.len() * 2 < json.len(),
            "{} of {}",
            p.bytes.len(),
            json.len()
        );
    }

    #[test]
    fn anything_else_comes_back_unchanged() {
        let cases: [&[u8]; 8] = [
            b"",
            b"{}",
            br#"{"location":{"uri":"#,
            br#"{"location":{"uri":"a\"b","range":{"start":{"line":1}}}"#,
            br#"{"location":{"uri":"ab","range":{"end":{"line":1}}}"#,
            br#"[{"a":1},"message":"x"}]"#,
            br#"},"message":"unterminated"#,
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
    fn more_pieces_than_one_byte_can_number() {
        // 300 distinct URIs: indices past 255 take both bytes of an index.
        let json: Vec<String> = (0..300)
            .map(|n| format!(r#"{{"location":{{"uri":"u{n}","range":{{"start":{{"line":1}}}}}}}}"#))
            .collect();
        let json = json.join(",");
        let p = Packed::pack(json.as_bytes());
        assert_eq!(p.pieces.len(), 300);
        assert_eq!(unpacked(&p), json.as_bytes());
    }
}
