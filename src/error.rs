use std::fmt;

/// The one error type of this crate.
///
/// Every fallible operation returns this type. Inspect [`Error::kind`] to
/// tell the cases apart. It is one pointer wide, so that a `Result` stays
/// small; an error caused by another (an I/O or JSON error) keeps it as
/// its [`source`](std::error::Error::source).
#[derive(Debug)]
pub struct Error(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing a model failed; the message is the I/O error's.
    #[error("I/O error: {0}")]
    Io(String),
    /// A model file could not be parsed: it is truncated, corrupt or not a
    /// dechaff model at all. The message is the parser's.
    #[error("corrupt model file: {0}")]
    CorruptModel(String),
    /// A model file names a format other than the one this crate reads.
    #[error("model file has format `{found}`, expected `{expected}`")]
    NotAModel {
        /// The format name found in the file.
        found: Box<str>,
        /// The format name this crate writes.
        expected: &'static str,
    },
    /// A model file was written by a newer (or unknown) format version.
    #[error(
        "model file has format version {found}, this build of dechaff reads version {supported}"
    )]
    UnsupportedVersion {
        /// The version found in the file.
        found: u32,
        /// The version this build reads and writes.
        supported: u32,
    },
    /// A model file parsed but its contents are inconsistent (for example a
    /// template that occurs on more pages than the model has seen).
    #[error("inconsistent model: {0}")]
    InconsistentModel(&'static str),
    /// Classifier weights could not be parsed: a row is malformed, names an
    /// unknown feature, repeats one, or a feature is missing.
    #[error("invalid classifier weights (expected one `feature<TAB>weight` row per feature)")]
    InvalidWeights,
    /// The text form of a label was not one of the six labels.
    #[error("unknown label (expected one of body, navigation, job_ad, comment_policy, advertisement, other)")]
    UnknownLabel,
    /// A file or directory of a dump could not be opened or read.
    #[error("{}: {message}", path.display())]
    Path {
        /// The file or directory.
        path: std::path::PathBuf,
        /// The I/O error's message.
        message: String,
    },
    /// Reading a record of a dump failed, for example because a gzip
    /// stream is truncated or corrupt. Reading stops there.
    #[error("record {record}: {message}")]
    ReadRecord {
        /// The 1-based number of the record being read.
        record: u64,
        /// The I/O error's message.
        message: String,
    },
    /// A line of a JSONL dump is not a JSON object.
    #[error("record {record}: malformed JSON: {message}")]
    MalformedJson {
        /// The 1-based line number.
        record: u64,
        /// The parser's message.
        message: String,
    },
    /// A record of a dump lacks a required part or has one of the wrong
    /// type.
    #[error("record {record}: {problem}")]
    BadRecord {
        /// The 1-based number of the record: the line of a JSONL dump or
        /// manifest, the WARC record of a WET file.
        record: u64,
        /// What is wrong, for example ``"no `text` field"``.
        problem: &'static str,
    },
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error(Box::new(Inner { kind, source: None }))
    }

    /// An error of the kind `kind` makes of `source`'s message, keeping
    /// `source` as the cause.
    pub(crate) fn because<E>(source: E, kind: impl FnOnce(String) -> ErrorKind) -> Error
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        Error(Box::new(Inner {
            kind: kind(source.to_string()),
            source: Some(Box::new(source)),
        }))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// Unwrap into the kind.
    pub fn into_kind(self) -> ErrorKind {
        self.0.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.kind.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let source = self.0.source.as_deref()?;
        Some(source)
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error::new(kind)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::because(e, ErrorKind::Io)
    }
}

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
