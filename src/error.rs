use std::fmt;

/// The one error type of this crate.
///
/// Every fallible operation returns this type. Inspect [`Error::kind`] to
/// tell the cases apart.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing a model failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A model file could not be parsed: it is truncated, corrupt or not a
    /// chaff model at all.
    #[error("corrupt model file: {0}")]
    CorruptModel(#[source] serde_json::Error),
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
        "model file has format version {found}, this build of chaff reads version {supported}"
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
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error { kind }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Unwrap into the kind.
    pub fn into_kind(self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error::new(kind)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::new(ErrorKind::Io(e))
    }
}

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
