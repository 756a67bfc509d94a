//! Chrome's permission names and its match-pattern grammar.

/// The API permissions Chrome knows for Manifest V3 extensions, from Chrome's permission list
/// (developer.chrome.com, "Permissions list", and the ChromeOS-only ones it documents). Chrome
/// merely warns on an unknown name, but an unknown name is always a model's invention or typo
/// and the API it wanted will be missing at run time, so Cistern treats it as an error.
pub const KNOWN_PERMISSIONS: &[&str] = &[
    "accessibilityFeatures.modify",
    "accessibilityFeatures.read",
    "activeTab",
    "alarms",
    "audio",
    "background",
    "bookmarks",
    "browsingData",
    "certificateProvider",
    "clipboardRead",
    "clipboardWrite",
    "contentSettings",
    "contextMenus",
    "cookies",
    "debugger",
    "declarativeContent",
    "declarativeNetRequest",
    "declarativeNetRequestFeedback",
    "declarativeNetRequestWithHostAccess",
    "desktopCapture",
    "dns",
    "documentScan",
    "downloads",
    "downloads.open",
    "downloads.ui",
    "enterprise.deviceAttributes",
    "enterprise.hardwarePlatform",
    "enterprise.networkingAttributes",
    "enterprise.platformKeys",
    "favicon",
    "fileBrowserHandler",
    "fileSystemProvider",
    "fontSettings",
    "gcm",
    "geolocation",
    "history",
    "identity",
    "identity.email",
    "idle",
    "loginState",
    "management",
    "nativeMessaging",
    "notifications",
    "offscreen",
    "pageCapture",
    "platformKeys",
    "power",
    "printerProvider",
    "printing",
    "printingMetrics",
    "privacy",
    "processes",
    "proxy",
    "readingList",
    "runtime",
    "scripting",
    "search",
    "sessions",
    "sidePanel",
    "storage",
    "system.cpu",
    "system.display",
    "system.memory",
    "system.storage",
    "tabCapture",
    "tabGroups",
    "tabs",
    "topSites",
    "tts",
    "ttsEngine",
    "unlimitedStorage",
    "userScripts",
    "vpnProvider",
    "wallpaper",
    "webAuthenticationProxy",
    "webNavigation",
    "webRequest",
    "webRequestAuthProvider",
    "webRequestBlocking",
];

/// Whether `name` is a permission Chrome knows.
pub fn is_known_permission(name: &str) -> bool {
    KNOWN_PERMISSIONS.contains(&name)
}

/// Schemes a match pattern may name (`*` means http and https).
const SCHEMES: &[&str] = &["*", "http", "https", "file", "ftp", "urn", "ws", "wss"];

/// Checks a match pattern against Chrome's grammar:
///
/// ```text
/// <all_urls> | <scheme>://<host><path>
/// scheme := '*' | 'http' | 'https' | 'file' | 'ftp' | 'urn' | 'ws' | 'wss'
/// host   := '*' | '*.' <hostname> | <hostname> | '[' <ipv6> ']'   (optionally ':' port|'*';
///           empty only for file://)
/// path   := '/' <any chars>
/// ```
///
/// Returns why the pattern is malformed, or `Ok(())`.
pub fn check_match_pattern(pattern: &str) -> Result<(), String> {
    if pattern == "<all_urls>" {
        return Ok(());
    }
    let Some((scheme, rest)) = pattern.split_once("://") else {
        return Err("a match pattern is `<scheme>://<host>/<path>` (e.g. `https://*.example.com/*`) or `<all_urls>`".into());
    };
    if !SCHEMES.contains(&scheme) {
        return Err(format!(
            "`{scheme}` is not a scheme a match pattern can use (use http, https, * or file)"
        ));
    }
    let Some(slash) = rest.find('/') else {
        return Err("the pattern has no path; add at least `/` (e.g. `/*`) after the host".into());
    };
    let (host, _path) = rest.split_at(slash);
    if scheme == "file" {
        return if host.is_empty() {
            Ok(())
        } else {
            Err("file:// patterns have no host: use `file:///*`".into())
        };
    }
    if host.is_empty() {
        return Err("the host is empty; use `*` for any host".into());
    }
    let (name, port) = split_port(host)?;
    if let Some(port) = port
        && port != "*"
        && port.parse::<u16>().is_err()
    {
        return Err(format!(
            "`{port}` is not a port (a number up to 65535, or `*`)"
        ));
    }
    if name == "*" {
        return Ok(());
    }
    let name = name.strip_prefix("*.").unwrap_or(name);
    if name.contains('*') {
        return Err("`*` may only be the whole host or its first label (`*.example.com`)".into());
    }
    if name.starts_with('[') {
        let ok = name.ends_with(']')
            && name[1..name.len() - 1]
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        return if ok {
            Ok(())
        } else {
            Err(format!("`{name}` is not a bracketed IPv6 address"))
        };
    }
    let valid = !name.is_empty()
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if valid {
        Ok(())
    } else {
        Err(format!("`{name}` is not a valid host name"))
    }
}

/// Splits `host:port`, keeping bracketed IPv6 addresses whole.
fn split_port(host: &str) -> Result<(&str, Option<&str>), String> {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => match &host[end + 1..] {
                "" => Ok((host, None)),
                rest => match rest.strip_prefix(':') {
                    Some(port) => Ok((&host[..=end], Some(port))),
                    None => Err(format!("unexpected `{rest}` after the IPv6 address")),
                },
            },
            None => Err("unclosed `[` in the host".into()),
        };
    }
    Ok(match host.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_match_patterns_are_accepted() {
        for p in [
            "<all_urls>",
            "https://*/*",
            "*://*.example.com/*",
            "http://127.0.0.1:8080/api/*",
            "https://example.com/",
            "file:///*",
            "http://[::1]:3000/*",
            "wss://sock.example.org/*",
        ] {
            assert_eq!(check_match_pattern(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn malformed_match_patterns_are_refused() {
        for p in [
            "example.com",
            "https://example.com",
            "https://*example.com/*",
            "https://www.*.com/*",
            "chrome://extensions/*",
            "https:///*",
            "https://a.com:99999/*",
            "file://host/*",
            "*",
            "",
        ] {
            assert!(check_match_pattern(p).is_err(), "{p} should be refused");
        }
    }

    #[test]
    fn permissions_are_case_sensitive_names_from_the_list() {
        assert!(is_known_permission("storage"));
        assert!(is_known_permission("declarativeNetRequest"));
        assert!(!is_known_permission("Storage"));
        assert!(!is_known_permission("tabs.all"));
    }
}
