//! Whether the web view can play what the viewer hands it. On Linux,
//! WebKitGTK plays `<video>` and `<audio>` through GStreamer, whose elements
//! come in separate distribution packages: a machine without one gets a
//! player that never starts (`MEDIA_ERR_SRC_NOT_SUPPORTED`) and no word
//! why. The elements needed, and the package holding each, are listed once
//! in `gstreamer-elements.txt` (also read by `scripts/deps.sh` and checked
//! against the .deb's `Depends`); this module looks each up in GStreamer's
//! registry, once, so the viewer can say which package to install instead.

use std::sync::OnceLock;

/// The list of needed elements (see the file's header for its columns).
pub const ELEMENTS: &str = include_str!("../gstreamer-elements.txt");

/// What a missing element stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affects {
    /// Every video and every sound.
    All,
    /// A video's picture.
    Video,
    /// Sound: audio files, and the sound of videos.
    Audio,
    /// Videos that carry a subtitle stream.
    Text,
}

impl Affects {
    pub fn as_str(self) -> &'static str {
        match self {
            Affects::All => "all",
            Affects::Video => "video",
            Affects::Audio => "audio",
            Affects::Text => "text",
        }
    }

    fn parse(s: &str) -> Option<Affects> {
        Some(match s {
            "all" => Affects::All,
            "video" => Affects::Video,
            "audio" => Affects::Audio,
            "text" => Affects::Text,
            _ => return None,
        })
    }
}

/// One line of the list: any of `elements` will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub elements: Vec<&'static str>,
    /// The Debian (and Ubuntu) package that holds the first of them.
    pub package: &'static str,
    pub affects: Affects,
    /// What the element does, and what fails without it.
    pub purpose: &'static str,
}

/// Reads [`ELEMENTS`]-shaped text; the error names the line.
pub fn parse(text: &'static str) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&'static str> = line.split('|').map(str::trim).collect();
        let [elements, package, affects, purpose] = cols[..] else {
            return Err(format!(
                "line {}: want 4 columns split by '|', got {}",
                n + 1,
                cols.len()
            ));
        };
        let affects = Affects::parse(affects).ok_or_else(|| format!("line {}: unknown kind {affects:?}", n + 1))?;
        let elements: Vec<&'static str> = elements.split_whitespace().collect();
        if elements.is_empty() || package.is_empty() || purpose.is_empty() {
            return Err(format!("line {}: an empty column", n + 1));
        }
        out.push(Requirement {
            elements,
            package,
            affects,
            purpose,
        });
    }
    Ok(out)
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    /// The registry was read: these requirements have none of their
    /// elements (empty: everything plays).
    Checked { missing: Vec<Requirement> },
    /// The registry could not be read (GStreamer failed to start); the
    /// viewer still tries, and explains a player error when one comes.
    Unknown { reason: String },
}

/// The check's result, made on first use and kept: GStreamer's registry
/// does not change while the app runs (a package installed meanwhile needs
/// a restart of the web view anyway). The first call may take a second or
/// two on a machine whose registry cache is cold; the app makes it on a
/// thread of its own at start.
pub fn support() -> &'static Support {
    static SUPPORT: OnceLock<Support> = OnceLock::new();
    SUPPORT.get_or_init(|| match parse(ELEMENTS) {
        Ok(needed) => check(needed),
        Err(e) => Support::Unknown {
            reason: format!("gstreamer-elements.txt: {e}"),
        },
    })
}

/// Looks each requirement up in GStreamer's registry (the same one the web
/// view's player reads: `GST_PLUGIN_SYSTEM_PATH`, `GST_REGISTRY` and the
/// cache in `~/.cache/gstreamer-1.0` apply alike).
#[cfg(target_os = "linux")]
fn check(needed: Vec<Requirement>) -> Support {
    if let Err(e) = gstreamer::init() {
        return Support::Unknown {
            reason: format!("GStreamer did not start: {e}"),
        };
    }
    let missing = needed
        .into_iter()
        .filter(|r| !r.elements.iter().any(|e| gstreamer::ElementFactory::find(e).is_some()))
        .collect();
    Support::Checked { missing }
}

/// Elsewhere the web view plays media through the system's own frameworks
/// (WKWebView, WebView2), which need no packages of ours.
#[cfg(not(target_os = "linux"))]
fn check(_needed: Vec<Requirement>) -> Support {
    Support::Checked { missing: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_parses_and_names_a_package_for_every_line() {
        let list = parse(ELEMENTS).expect("gstreamer-elements.txt parses");
        assert!(list.len() >= 4, "{list:?}");
        let webvtt = list
            .iter()
            .find(|r| r.elements.contains(&"webvttenc"))
            .expect("webvttenc is listed");
        assert_eq!(webvtt.package, "gstreamer1.0-plugins-bad");
        assert_eq!(webvtt.affects, Affects::Text);
    }

    #[test]
    fn a_malformed_line_is_named() {
        assert_eq!(
            parse("# c\nqtdemux | good | all\n").unwrap_err(),
            "line 2: want 4 columns split by '|', got 3"
        );
        assert_eq!(
            parse("qtdemux | good | sometimes | reads\n").unwrap_err(),
            "line 1: unknown kind \"sometimes\""
        );
    }

    /// The .deb installs every package the list names (its test checks the
    /// built package's control file too).
    #[test]
    fn the_deb_depends_on_every_package_the_list_names() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).expect("tauri.conf.json is JSON");
        let depends: Vec<&str> = conf["bundle"]["linux"]["deb"]["depends"]
            .as_array()
            .expect("bundle.linux.deb.depends")
            .iter()
            .filter_map(|d| d.as_str())
            .collect();
        for r in parse(ELEMENTS).expect("parses") {
            assert!(
                depends.contains(&r.package),
                "the .deb does not depend on {} ({}): {depends:?}",
                r.package,
                r.elements.join(" or ")
            );
        }
    }

    /// On the machine the tests run on (scripts/deps.sh installed the
    /// packages), GStreamer's registry has every element.
    #[cfg(target_os = "linux")]
    #[test]
    fn this_machine_has_every_element() {
        assert_eq!(
            support(),
            &Support::Checked { missing: Vec::new() },
            "run scripts/deps.sh"
        );
    }
}
