//! Placeholder until the CPython-faithful checker lands: ruff's parser with its own messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

pub fn check(src: &str) -> Option<PyError> {
    let err = ruff_python_parser::parse_module(src).err()?;
    let r = err.location;
    Some(PyError {
        start: r.start().to_usize(),
        end: r.end().to_usize(),
        message: err.error.to_string(),
    })
}
