//! Request paths: a template for logs and a rendered, percent-encoded path for the URL.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Characters escaped inside one path segment (RFC 3986 `pchar` complement, plus `/`, `%`).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A request path: the template (`/v2/products/{}/custom_fields/{}`) that is
/// logged, and the path with each argument percent-encoded as one segment.
///
/// ```
/// use creator_core::http::Path;
///
/// let p = Path::new("/v2/products/{}/custom_fields/{}", &["A-m3CDDC5dlrSdKZp0RFhA==", "phone number"]);
/// assert_eq!(p.rendered(), "/v2/products/A-m3CDDC5dlrSdKZp0RFhA==/custom_fields/phone%20number");
/// assert_eq!(p.template(), "/v2/products/{}/custom_fields/{}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    template: &'static str,
    rendered: String,
}

impl Path {
    /// Fills each `{}` in `template` with the next argument, encoded as a single
    /// path segment (so `/` or `?` in an id can never change the route).
    /// Missing arguments leave `{}`; extra arguments are ignored.
    pub fn new(template: &'static str, args: &[&str]) -> Self {
        let mut rendered = String::with_capacity(template.len() + 32);
        let mut args = args.iter();
        let mut rest = template;
        while let Some(i) = rest.find("{}") {
            rendered.push_str(&rest[..i]);
            match args.next() {
                Some(arg) => rendered.extend(utf8_percent_encode(arg, SEGMENT)),
                None => rendered.push_str("{}"),
            }
            rest = &rest[i + 2..];
        }
        rendered.push_str(rest);
        Self { template, rendered }
    }

    /// A path without arguments.
    pub fn fixed(path: &'static str) -> Self {
        Self::new(path, &[])
    }

    /// The template, safe to log (no ids, no query).
    pub fn template(&self) -> &'static str {
        self.template
    }

    /// The encoded path sent on the wire.
    pub fn rendered(&self) -> &str {
        &self.rendered
    }
}

impl From<&'static str> for Path {
    fn from(path: &'static str) -> Self {
        Path::fixed(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_cannot_escape_their_segment() {
        let p = Path::new("/v2/sales/{}", &["../user?x=1#frag"]);
        assert_eq!(p.rendered(), "/v2/sales/..%2Fuser%3Fx=1%23frag");
        let p = Path::new("/v2/x/{}", &["100%"]);
        assert_eq!(p.rendered(), "/v2/x/100%25");
        let p = Path::new("/a/{}/{}", &["1"]);
        assert_eq!(p.rendered(), "/a/1/{}");
    }
}
