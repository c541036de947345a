//! The values a person sets on an asset while curating: a flag, a colour
//! label and keyword paths. Stars and texts are plain numbers and strings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Pick or reject, as a photographer culls a shoot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    Pick,
    Reject,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Pick => "pick",
            Flag::Reject => "reject",
        }
    }
}

impl FromStr for Flag {
    type Err = CurationValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pick" | "picked" => Ok(Flag::Pick),
            "reject" | "rejected" => Ok(Flag::Reject),
            _ => Err(CurationValueError::new("flag", s, "pick or reject")),
        }
    }
}

/// A colour label, with the five colours Lightroom, Bridge and darktable
/// share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorLabel {
    Red,
    Yellow,
    Green,
    Blue,
    Purple,
}

impl ColorLabel {
    pub const ALL: [ColorLabel; 5] = [
        ColorLabel::Red,
        ColorLabel::Yellow,
        ColorLabel::Green,
        ColorLabel::Blue,
        ColorLabel::Purple,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ColorLabel::Red => "red",
            ColorLabel::Yellow => "yellow",
            ColorLabel::Green => "green",
            ColorLabel::Blue => "blue",
            ColorLabel::Purple => "purple",
        }
    }
}

impl FromStr for ColorLabel {
    type Err = CurationValueError;
    /// Reads the label by its colour name in any case (`Red`, as Lightroom
    /// writes `xmp:Label`, or `red`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        ColorLabel::ALL
            .into_iter()
            .find(|l| l.as_str() == lower)
            .ok_or_else(|| CurationValueError::new("colour label", s, "red, yellow, green, blue or purple"))
    }
}

/// A keyword in the keyword tree, by its levels from the root:
/// `Places|Iceland|Reykjavik`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeywordPath(Vec<String>);

impl KeywordPath {
    /// The most levels a keyword path may have.
    pub const MAX_DEPTH: usize = 32;
    /// The longest name one level may have, in characters.
    pub const MAX_NAME: usize = 256;

    /// A path from its levels, each checked like a parsed one.
    pub fn from_levels<I, S>(levels: I) -> Result<Self, CurationValueError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let levels: Vec<String> = levels.into_iter().map(|s| s.into().trim().to_owned()).collect();
        let whole = levels.join("|");
        if levels.is_empty() || levels.iter().any(String::is_empty) {
            return Err(CurationValueError::new(
                "keyword",
                &whole,
                "names separated by | or /, none empty",
            ));
        }
        if levels.len() > Self::MAX_DEPTH {
            return Err(CurationValueError::new("keyword", &whole, "at most 32 levels"));
        }
        if levels.iter().any(|l| l.chars().count() > Self::MAX_NAME) {
            return Err(CurationValueError::new(
                "keyword",
                &whole,
                "names of at most 256 characters",
            ));
        }
        if levels
            .iter()
            .any(|l| l.chars().any(|c| c.is_control() || c == '|' || c == '/'))
        {
            return Err(CurationValueError::new(
                "keyword",
                &whole,
                "names without control characters, | or /",
            ));
        }
        Ok(KeywordPath(levels))
    }

    pub fn levels(&self) -> &[String] {
        &self.0
    }

    /// The last level: the keyword's own name.
    pub fn name(&self) -> &str {
        self.0.last().map(String::as_str).unwrap_or_default()
    }

    /// True if `self` is `other` or lies under it.
    pub fn starts_with(&self, other: &KeywordPath) -> bool {
        self.0.len() >= other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| a == b)
    }
}

impl FromStr for KeywordPath {
    type Err = CurationValueError;
    /// Reads `A|B|C` (Lightroom's form) or `A/B/C` (digiKam's).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KeywordPath::from_levels(s.split(['|', '/']))
    }
}

impl TryFrom<String> for KeywordPath {
    type Error = CurationValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<KeywordPath> for String {
    fn from(p: KeywordPath) -> String {
        p.to_string()
    }
}

impl fmt::Display for KeywordPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("|"))
    }
}

/// A curation value that could not be read, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurationValueError {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

impl CurationValueError {
    pub fn new(what: &'static str, value: &str, expected: &str) -> Self {
        CurationValueError {
            what,
            value: value.to_owned(),
            expected: expected.to_owned(),
        }
    }
}

impl fmt::Display for CurationValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a {}: expected {}", self.value, self.what, self.expected)
    }
}

impl std::error::Error for CurationValueError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_paths_read_both_separators_and_print_lightrooms() {
        let p: KeywordPath = " Places / Iceland|Reykjavik ".parse().unwrap();
        assert_eq!(p.levels(), ["Places", "Iceland", "Reykjavik"]);
        assert_eq!(p.to_string(), "Places|Iceland|Reykjavik");
        assert_eq!(p.name(), "Reykjavik");
        assert!(p.starts_with(&"Places".parse().unwrap()));
        assert!(!p.starts_with(&"Place".parse().unwrap()));
    }

    #[test]
    fn bad_keyword_paths_say_why() {
        for bad in ["", "A||B", "A|", "A|\u{7}"] {
            let e = bad.parse::<KeywordPath>().unwrap_err();
            assert_eq!(e.what, "keyword", "{bad:?}");
        }
        let deep = vec!["x"; 33].join("|");
        assert!(deep.parse::<KeywordPath>().unwrap_err().expected.contains("32"));
    }

    #[test]
    fn labels_and_flags_read_any_case() {
        assert_eq!("Red".parse::<ColorLabel>().unwrap(), ColorLabel::Red);
        assert_eq!("PURPLE".parse::<ColorLabel>().unwrap(), ColorLabel::Purple);
        assert!("teal".parse::<ColorLabel>().unwrap_err().to_string().contains("teal"));
        assert_eq!("reject".parse::<Flag>().unwrap(), Flag::Reject);
        assert!("maybe".parse::<Flag>().is_err());
    }

    #[test]
    fn serde_forms_are_the_text_forms() {
        assert_eq!(serde_json::to_string(&ColorLabel::Blue).unwrap(), "\"blue\"");
        let p: KeywordPath = serde_json::from_str("\"A/B\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"A|B\"");
        assert!(serde_json::from_str::<KeywordPath>("\"\"").is_err());
    }
}
