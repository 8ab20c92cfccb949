//! [`ApiBase`]: the one way a client turns a path into a request URL.
//!
//! A token is minted for one host and one API. Paths come from outside (a
//! `next` link, an id, a command-line argument), and the WHATWG URL parser is
//! generous with them: it trims leading spaces and C0 controls, deletes tabs
//! and newlines anywhere, reads `%2e%2e` as `..`, `\` as `/`, and `//host` or
//! `http:/\t/host` as another host. So a path is checked as text first, for
//! everything the parser would reinterpret, and the joined URL is checked
//! again: same origin as the base, and still under the base path.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use percent_encoding::percent_decode_str;
use url::{Host, Url};

use crate::Error;

/// Why a path or a base address was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathProblem {
    /// A control character (C0, DEL or C1), literal or percent-encoded.
    ControlCharacter,
    /// Whitespace (the URL parser trims or deletes some of it).
    Whitespace,
    /// A backslash (read as `/` by the URL parser), literal or percent-encoded.
    Backslash,
    /// A `.` or `..` segment, in any spelling (`%2e`, `%2E%2e`, `.%2e`, …).
    DotSegment,
    /// A percent-encoded `/`, which some servers decode before routing.
    EncodedSlash,
    /// `//host/…`: a reference to another host.
    SchemeRelative,
    /// `scheme:…`: an absolute URL.
    Absolute,
    /// `user@host` in an address.
    Userinfo,
    /// A `#fragment`.
    Fragment,
    /// `a//b`: an empty segment.
    EmptySegment,
    /// An empty identifier.
    Empty,
    /// The joined URL is on another origin or outside the base path.
    LeavesBase,
    /// A base address that is not an `http(s)` URL with a host.
    NotHttp,
    /// A base address with a query.
    Query,
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ControlCharacter => "it contains a control character",
            Self::Whitespace => "it contains whitespace (percent-encode it as %20 if meant)",
            Self::Backslash => "it contains a backslash",
            Self::DotSegment => "it contains a `.` or `..` segment (in some spelling)",
            Self::EncodedSlash => "it contains a percent-encoded `/` (%2F)",
            Self::SchemeRelative => "it starts with `//`, which names another host",
            Self::Absolute => "it is an absolute URL; give a path relative to the API base",
            Self::Userinfo => "it contains user information (`user@`)",
            Self::Fragment => "it contains a `#` fragment",
            Self::EmptySegment => "it contains an empty segment (`//`)",
            Self::Empty => "it is empty",
            Self::LeavesBase => "it resolves outside the API base",
            Self::NotHttp => "it is not an http(s) URL with a host",
            Self::Query => "a base address cannot have a query",
        })
    }
}

/// The base address of an API, and the only way to build a request URL below it.
///
/// [`join`](Self::join) takes a path relative to the base (a single leading
/// `/` means the base too, and a query is allowed); [`join_segments`](Self::join_segments)
/// takes identifiers and percent-encodes each. Both refuse, before anything is
/// built, whatever the URL parser would read as another host or another path
/// (see [`PathProblem`]), and check the result: same scheme, host and port as
/// the base, and a path that starts with the base path.
///
/// ```
/// use auth_session::ApiBase;
///
/// let base = ApiBase::parse("https://acme.example/api/v2")?;
/// assert_eq!(base.join("assets?page=2")?.as_str(), "https://acme.example/api/v2/assets?page=2");
/// assert_eq!(base.join_segments(["assets", "a?b"])?.as_str(), "https://acme.example/api/v2/assets/a%3Fb");
/// for hostile in ["//evil.example/x", " //evil.example", "\t//evil.example", "%2e%2e/admin", "http:/\t/evil.example"] {
///     assert!(base.join(hostile).is_err());
/// }
/// # Ok::<(), auth_session::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ApiBase {
    url: Url,
}

impl fmt::Debug for ApiBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ApiBase").field(&self.url.as_str()).finish()
    }
}

impl fmt::Display for ApiBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.url.as_str())
    }
}

impl ApiBase {
    /// Parses a base address: `http(s)` with a host, no user information, no
    /// query or fragment, plain `http` only to loopback. The path gets a
    /// trailing `/`, so joining appends below it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidBaseUrl`], or [`Error::InsecureTransport`] for plain
    /// http to another host.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let invalid = |problem| Error::InvalidBaseUrl {
            shown: shown(input),
            problem,
        };
        if let Some(problem) = text_problem(input) {
            return Err(invalid(problem));
        }
        let url = Url::parse(input).map_err(|_| invalid(PathProblem::NotHttp))?;
        Self::new(url)
    }

    /// [`parse`](Self::parse) for a URL already parsed.
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse).
    pub fn new(mut url: Url) -> Result<Self, Error> {
        let invalid = |problem| Error::InvalidBaseUrl {
            shown: shown(url.as_str()),
            problem,
        };
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(invalid(PathProblem::NotHttp));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(PathProblem::Userinfo));
        }
        if url.query().is_some() {
            return Err(invalid(PathProblem::Query));
        }
        if url.fragment().is_some() {
            return Err(invalid(PathProblem::Fragment));
        }
        if url.scheme() == "http" && !is_loopback(&url) {
            return Err(Error::InsecureTransport {
                host: url.host_str().unwrap_or("").to_owned(),
            });
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(Self { url })
    }

    /// The base address, its path ending in `/`.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Whether the base is on this machine (`127.0.0.0/8`, `::1`, `localhost`).
    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.url)
    }

    /// A base one level down: `path` (checked as by [`join`](Self::join),
    /// without a query) below this one.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPath`].
    pub fn nest(&self, path: &str) -> Result<Self, Error> {
        let url = self.join(path)?;
        if url.query().is_some() {
            return Err(invalid_path(path, PathProblem::Query));
        }
        Self::new(url)
    }

    /// The URL of `reference` below the base: a path relative to the base
    /// (`assets/7`, or `/assets/7`, which means the same), optionally with a
    /// query (`assets?page=2`), which is kept as given and cannot change the path.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPath`] naming the [`PathProblem`]; nothing is built.
    pub fn join(&self, reference: &str) -> Result<Url, Error> {
        let invalid = |problem| invalid_path(reference, problem);
        if let Some(problem) = text_problem(reference) {
            return Err(invalid(problem));
        }
        if reference.contains('#') {
            return Err(invalid(PathProblem::Fragment));
        }
        let (path, query) = match reference.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (reference, None),
        };
        if path.starts_with("//") {
            return Err(invalid(PathProblem::SchemeRelative));
        }
        let path = path.strip_prefix('/').unwrap_or(path);
        if has_scheme(path) {
            return Err(invalid(PathProblem::Absolute));
        }
        let segments: Vec<&str> = path.split('/').collect();
        let last = segments.len() - 1;
        for (i, segment) in segments.iter().enumerate() {
            if segment.is_empty() {
                // `assets/` (a trailing slash) and `` (the base itself) are fine.
                if i == last {
                    continue;
                }
                return Err(invalid(PathProblem::EmptySegment));
            }
            if let Some(problem) = segment_problem(segment) {
                return Err(invalid(problem));
            }
        }
        let mut url = self.url.clone();
        // `set_path` reads its input as a path only: no scheme, host or
        // reference resolution can happen here.
        url.set_path(&format!("{}{path}", self.url.path()));
        url.set_query(query);
        self.confine(url, reference)
    }

    /// The URL of `segments` below the base, each one percent-encoded as a
    /// single segment (`/` inside an identifier cannot add a level).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPath`] for an empty segment, or one with a control
    /// character, whitespace, `/`, `\` or a dot segment in any spelling.
    pub fn join_segments<'a>(
        &self,
        segments: impl IntoIterator<Item = &'a str>,
    ) -> Result<Url, Error> {
        let mut url = self.url.clone();
        let mut shown_path = String::new();
        {
            let Ok(mut path) = url.path_segments_mut() else {
                unreachable!("an http(s) URL with a host always has path segments");
            };
            path.pop_if_empty();
            for segment in segments {
                shown_path.push('/');
                shown_path.push_str(segment);
                let invalid = |problem| invalid_path(&shown_path, problem);
                if segment.is_empty() {
                    return Err(invalid(PathProblem::Empty));
                }
                if let Some(problem) = identifier_problem(segment) {
                    return Err(invalid(problem));
                }
                path.push(segment);
            }
        }
        self.confine(url, &shown_path)
    }

    /// The check after joining: same origin, under the base path, nothing
    /// the text checks should not already have refused.
    fn confine(&self, url: Url, reference: &str) -> Result<Url, Error> {
        let base = &self.url;
        let same_origin = url.scheme() == base.scheme()
            && url.host() == base.host()
            && url.port_or_known_default() == base.port_or_known_default();
        let no_extras =
            url.username().is_empty() && url.password().is_none() && url.fragment().is_none();
        let below = url.path().starts_with(base.path())
            && url
                .path_segments()
                .into_iter()
                .flatten()
                .all(|s| segment_problem(s) != Some(PathProblem::DotSegment));
        if same_origin && no_extras && below {
            Ok(url)
        } else {
            Err(invalid_path(reference, PathProblem::LeavesBase))
        }
    }
}

/// Whether plain http to `url` stays on this machine: `127.0.0.0/8`, `::1`
/// (also as an IPv4-mapped address), or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => {
            ip.is_loopback()
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| IpAddr::V4(v4).is_loopback())
        }
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn invalid_path(reference: &str, problem: PathProblem) -> Error {
    Error::InvalidPath {
        shown: shown(reference),
        problem,
    }
}

/// The input as an error shows it: without the query (it may hold secrets),
/// shortened, and quoted by `Debug` so control characters are visible escapes.
fn shown(input: &str) -> String {
    let path = input.split('?').next().unwrap_or("");
    let short: String = path.chars().take(80).collect();
    if short.len() < path.len() {
        format!("{short:?}…")
    } else {
        format!("{short:?}")
    }
}

/// What the parser would trim, delete or reinterpret anywhere in the text.
fn text_problem(text: &str) -> Option<PathProblem> {
    text.chars().find_map(|c| {
        if c.is_control() {
            Some(PathProblem::ControlCharacter)
        } else if c.is_whitespace() {
            Some(PathProblem::Whitespace)
        } else if c == '\\' {
            Some(PathProblem::Backslash)
        } else {
            None
        }
    })
}

/// `scheme:` at the start, as RFC 3986 section 3.1 spells a scheme.
fn has_scheme(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or("");
    let Some((scheme, _)) = first.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Percent-decodes until nothing changes (bounded), so `%252e` is seen as
/// `.` too: a server or proxy that decodes twice must not find a dot segment.
fn fully_decoded(segment: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(segment);
    for _ in 0..4 {
        let decoded: String = percent_decode_str(&text).decode_utf8_lossy().into_owned();
        if decoded == *text {
            break;
        }
        text = Cow::Owned(decoded);
    }
    text
}

/// A segment of a path as given (percent-encoding allowed).
fn segment_problem(segment: &str) -> Option<PathProblem> {
    let decoded = fully_decoded(segment);
    if let Some(problem) = text_problem(&decoded) {
        return Some(problem);
    }
    if decoded.contains('/') {
        return Some(PathProblem::EncodedSlash);
    }
    if decoded == "." || decoded == ".." {
        return Some(PathProblem::DotSegment);
    }
    None
}

/// An identifier that becomes one segment (encoded by us).
fn identifier_problem(id: &str) -> Option<PathProblem> {
    if let Some(problem) = text_problem(id) {
        return Some(problem);
    }
    if id.contains('/') {
        return Some(PathProblem::EncodedSlash);
    }
    segment_problem(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ApiBase {
        ApiBase::parse("https://acme.example/api/v2").unwrap()
    }

    fn problem(result: Result<Url, Error>) -> PathProblem {
        match result {
            Err(Error::InvalidPath { problem, .. }) => problem,
            other => panic!("expected InvalidPath, got {other:?}"),
        }
    }

    #[test]
    fn relative_paths_and_queries_join_below_the_base() {
        let b = base();
        for (input, expected) in [
            ("assets", "https://acme.example/api/v2/assets"),
            ("/assets/7", "https://acme.example/api/v2/assets/7"),
            ("assets/", "https://acme.example/api/v2/assets/"),
            ("", "https://acme.example/api/v2/"),
            (
                "assets?page=2&next=//evil/../x",
                "https://acme.example/api/v2/assets?page=2&next=//evil/../x",
            ),
            ("x/a:b", "https://acme.example/api/v2/x/a:b"),
            ("x/user@host", "https://acme.example/api/v2/x/user@host"),
            ("caf%C3%A9", "https://acme.example/api/v2/caf%C3%A9"),
            ("...", "https://acme.example/api/v2/..."),
        ] {
            assert_eq!(b.join(input).unwrap().as_str(), expected, "{input:?}");
        }
    }

    #[test]
    fn every_spelling_of_another_host_or_path_is_refused() {
        let b = base();
        for (input, expected) in [
            (" //evil.example/x", PathProblem::Whitespace),
            ("\t//evil.example/x", PathProblem::ControlCharacter),
            ("http:/\t/evil.example/x", PathProblem::ControlCharacter),
            ("a\nb", PathProblem::ControlCharacter),
            ("a\u{85}b", PathProblem::ControlCharacter),
            ("a\u{3000}b", PathProblem::Whitespace),
            ("//evil.example/x", PathProblem::SchemeRelative),
            ("https://evil.example/x", PathProblem::Absolute),
            ("http:evil.example", PathProblem::Absolute),
            ("javascript:alert(1)", PathProblem::Absolute),
            ("a\\..\\b", PathProblem::Backslash),
            ("a%5c..", PathProblem::Backslash),
            ("..", PathProblem::DotSegment),
            ("a/../../b", PathProblem::DotSegment),
            ("./a", PathProblem::DotSegment),
            ("%2e%2e/admin", PathProblem::DotSegment),
            ("%2E%2e/admin", PathProblem::DotSegment),
            (".%2E/admin", PathProblem::DotSegment),
            ("%252e%252e/admin", PathProblem::DotSegment),
            ("a%2f..%2fb", PathProblem::EncodedSlash),
            ("a%00b", PathProblem::ControlCharacter),
            ("a%0d%0ab", PathProblem::ControlCharacter),
            ("a#frag", PathProblem::Fragment),
            ("a//b", PathProblem::EmptySegment),
            ("/api/v2//x", PathProblem::EmptySegment),
        ] {
            assert_eq!(problem(b.join(input)), expected, "{input:?}");
        }
    }

    #[test]
    fn segments_are_encoded_and_identifiers_checked() {
        let b = base();
        assert_eq!(
            b.join_segments(["tenant", "t-1", "é?#%"]).unwrap().as_str(),
            "https://acme.example/api/v2/tenant/t-1/%C3%A9%3F%23%25"
        );
        for (id, expected) in [
            ("", PathProblem::Empty),
            (".", PathProblem::DotSegment),
            ("..", PathProblem::DotSegment),
            (".\t.", PathProblem::ControlCharacter),
            ("%2e%2e", PathProblem::DotSegment),
            ("a/b", PathProblem::EncodedSlash),
            ("a\\b", PathProblem::Backslash),
            (" ", PathProblem::Whitespace),
        ] {
            assert_eq!(
                problem(b.join_segments(["tenant", id, "complete"])),
                expected,
                "{id:?}"
            );
        }
    }

    #[test]
    fn base_addresses_are_checked() {
        assert_eq!(
            ApiBase::parse("http://127.0.0.1:9/x")
                .unwrap()
                .url()
                .as_str(),
            "http://127.0.0.1:9/x/"
        );
        assert!(
            ApiBase::parse("http://[::ffff:127.0.0.1]/")
                .unwrap()
                .is_loopback()
        );
        assert!(matches!(
            ApiBase::parse("http://example.com/"),
            Err(Error::InsecureTransport { .. })
        ));
        for (input, expected) in [
            ("https://u:p@example.com/", PathProblem::Userinfo),
            ("https://example.com/?a=1", PathProblem::Query),
            ("https://example.com/#x", PathProblem::Fragment),
            ("ftp://example.com/", PathProblem::NotHttp),
            ("not a url", PathProblem::Whitespace),
            ("mailto:x@example.com", PathProblem::NotHttp),
        ] {
            match ApiBase::parse(input) {
                Err(Error::InvalidBaseUrl { problem, .. }) => {
                    assert_eq!(problem, expected, "{input}")
                }
                other => panic!("{input}: {other:?}"),
            }
        }
    }

    #[test]
    fn nesting_adds_a_level() {
        let b = ApiBase::parse("http://127.0.0.1:8080/proxy").unwrap();
        let api = b.nest("api/v2").unwrap();
        assert_eq!(api.url().as_str(), "http://127.0.0.1:8080/proxy/api/v2/");
        assert!(b.nest("../x").is_err());
        assert!(b.nest("x?y").is_err());
    }

    #[test]
    fn errors_show_the_path_escaped_and_without_the_query() {
        let err = base().join("\u{1b}[2J//evil?token=secret").unwrap_err();
        let text = err.to_string();
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("\\u{1b}"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }

    /// Pieces of hostile paths: separators and dots in every spelling,
    /// characters the URL parser trims or deletes, scheme and authority
    /// syntax, a foreign host.
    const PIECES: &[&str] = &[
        "/",
        "//",
        "\\",
        ".",
        "..",
        "%2e",
        "%2E",
        "%2f",
        "%2F",
        "%5c",
        "%252e",
        "%25",
        "%",
        "\t",
        "\n",
        "\r",
        " ",
        "\u{0}",
        "\u{1f}",
        "\u{7f}",
        "\u{85}",
        "\u{a0}",
        "\u{3000}",
        "\u{feff}",
        "\u{200b}",
        "@",
        ":",
        "http:",
        "https:",
        "HTTP:",
        "?",
        "#",
        ";",
        "&",
        "=",
        "evil.example",
        "evil.example:8443",
        "user:pw@",
        "a",
        "assets",
        "%00",
        "%0a",
        "é",
    ];

    /// What a server that decodes and normalizes the path would route to.
    fn server_view(url: &Url) -> String {
        let decoded = fully_decoded(url.path()).replace('\\', "/");
        let mut out: Vec<&str> = Vec::new();
        for segment in decoded.split('/') {
            match segment {
                "." => {}
                ".." => {
                    out.pop();
                }
                s => out.push(s),
            }
        }
        out.join("/")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        #[test]
        fn hostile_paths_are_refused_or_stay_below_the_base(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..12)
        ) {
            let input: String = pieces.concat();
            let b = base();
            match b.join(&input) {
                Ok(url) => {
                    proptest::prop_assert_eq!(url.scheme(), "https");
                    proptest::prop_assert_eq!(url.host_str(), Some("acme.example"));
                    proptest::prop_assert_eq!(url.port(), None);
                    proptest::prop_assert!(url.username().is_empty() && url.password().is_none());
                    proptest::prop_assert!(url.path().starts_with("/api/v2/"), "{}", url);
                    proptest::prop_assert!(server_view(&url).starts_with("/api/v2"), "{}", url);
                    // What goes on the wire parses back to the same URL.
                    proptest::prop_assert_eq!(Url::parse(url.as_str()).ok(), Some(url.clone()));
                }
                Err(Error::InvalidPath { .. }) => {}
                Err(other) => proptest::prop_assert!(false, "unexpected error {other:?}"),
            }
            match b.join_segments(["tenant", input.as_str(), "complete"]) {
                Ok(url) => {
                    proptest::prop_assert_eq!(url.host_str(), Some("acme.example"));
                    proptest::prop_assert_eq!(url.path_segments().map(Iterator::count), Some(5));
                    proptest::prop_assert!(server_view(&url).starts_with("/api/v2/tenant/"), "{}", url);
                    proptest::prop_assert!(server_view(&url).ends_with("/complete"), "{}", url);
                }
                Err(Error::InvalidPath { .. }) => {}
                Err(other) => proptest::prop_assert!(false, "unexpected error {other:?}"),
            }
        }
    }
}
