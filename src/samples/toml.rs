//! TOML samples, read by the `toml` crate (TOML 1.0).

use super::SyntaxError;

pub fn check(source: &str) -> Option<SyntaxError> {
    let e = toml::from_str::<toml::Value>(source).err()?;
    let range = e.span().unwrap_or(0..0);
    let mut start = range.start.min(source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = range.end.clamp(start, source.len());
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    Some(SyntaxError {
        range: start..end,
        message: e.message().trim_end().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn reads_toml() {
        assert_eq!(
            check("[package]\nname = \"x\"\n\n[dependencies]\nserde = { version = \"1\" }\n"),
            None
        );
        let src = "[package]\nname = \"x\nversion = 1\n";
        let e = check(src).unwrap();
        assert_eq!(src[..e.range.start].matches('\n').count() + 1, 2, "{e:?}");
        let e = check("a = 1\na = 2\n").unwrap();
        assert!(e.message.contains("duplicate"), "{e:?}");
    }
}
