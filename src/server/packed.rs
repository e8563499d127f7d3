//! JSON kept with its repeated pieces stored once. A note's duplicate-question diagnostics
//! point at the same few other notes over and over: each related location spells out the
//! other note's URI with the JSON around it, and says the same message. Kept as written,
//! they were 2.5x the note's text (every question of a 474 KB note asked in 49 others);
//! packed, each such piece is three bytes.

use std::collections::HashMap;

/// Marks a piece kept once, followed by its index (two bytes, little-endian). serde_json
/// never writes a NUL: inside strings it escapes control characters, outside them it writes
/// ASCII punctuation, digits and literals.
const MARK: u8 = 0;

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
    bytes: Vec<u8>,
    pieces: Vec<Box<[u8]>>,
    /// The length of the JSON unpacked.
    len: usize,
}

impl Packed {
    pub fn pack(json: &[u8]) -> Packed {
        let mut bytes = Vec::with_capacity(json.len() / 2);
        let mut pieces: Vec<Box<[u8]>> = Vec::new();
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
            bytes.push(MARK);
            bytes.extend_from_slice(&k.to_le_bytes());
            from = start + end;
            at = from;
        }
        bytes.extend_from_slice(&json[from..]);
        bytes.shrink_to_fit();
        pieces.shrink_to_fit();
        Packed {
            bytes,
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
        for at in memchr::memchr_iter(MARK, &self.bytes) {
            if at < from {
                // A mark's index byte that happens to be 0.
                continue;
            }
            out.extend_from_slice(&self.bytes[from..at]);
            let k = u16::from_le_bytes([self.bytes[at + 1], self.bytes[at + 2]]);
            out.extend_from_slice(&self.pieces[usize::from(k)]);
            from = at + 3;
        }
        out.extend_from_slice(&self.bytes[from..]);
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
    fn a_piece_index_with_a_zero_byte_is_not_a_mark() {
        // 300 distinct URIs: indices 256 (bytes 0, 1) and 0 itself have zero bytes.
        let json: Vec<String> = (0..300)
            .map(|n| format!(r#"{{"location":{{"uri":"u{n}","range":{{"start":{{"line":1}}}}}}}}"#))
            .collect();
        let json = json.join(",");
        let p = Packed::pack(json.as_bytes());
        assert_eq!(p.pieces.len(), 300);
        assert_eq!(unpacked(&p), json.as_bytes());
    }
}
