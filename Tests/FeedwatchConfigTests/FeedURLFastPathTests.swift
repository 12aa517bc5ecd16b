import Foundation
import XCTest

@testable import FeedwatchConfig

/// The byte-level check of feed URLs must agree with `URLComponents` on every URL it answers for.
final class FeedURLFastPathTests: XCTestCase {
    private let urls = [
        "https://www.lemonde.fr/rss/une.xml", "http://example.org", "http://example.org/", "HTTPS://Example.ORG/Feed",
        "https://news.example.org:8443/feed?a=1&b=2#top", "http://127.0.0.1:9797/x", "http://a:/x", "http://a:123456/",
        "https://example.org/a/b;c=d/(e)/*f*/~g/'h'/!i/$j/+k/,l/@m/:n", "https://example.org/?q=a/b?c",
        "http://a_b.c-d.e~f/",
        "https://example.org/a#b#c", "https://example.org/a b", "https://example.org/%20",
        "https://user:pw@example.org/",
        "https://[::1]:80/", "https://exämple.org/", "https:///path", "https://", "http:/example.org",
        "ftp://example.org/",
        "https://example.org/a\"b", "https://example.org/a<b>", "https://example.org/a{b}", "https://example.org/a|b",
        "https://example.org/a\\b", "https://example.org/a^b", "https://example.org/a`b", "https://example.org/a[b]",
        "https://example.org:/x", "https://example.org:x/", "https://ex ample.org/", "https://example.org?x",
        "https://example.org#x",
        "https://www./", "https://www.example.org", "https://example.org/www.", "http://.../", "https://-a-.org/",
    ]

    func testTheFastPathAgreesWithURLComponents() {
        for url in urls {
            let components = URLComponents(string: url)
            let scheme = components?.scheme?.lowercased()
            let expected = (scheme == "http" || scheme == "https") && !(components?.host ?? "").isEmpty
            XCTAssertEqual(FeedURL.isHTTP(url), expected, url)
            guard SimpleHTTPURL(url) != nil, let components, var host = components.host else { continue }
            if host.hasPrefix("www.") { host.removeFirst(4) }
            XCTAssertEqual(FeedURL.derivedName(url), host + (components.path == "/" ? "" : components.path), url)
        }
    }

    func testPlainURLsTakeTheFastPath() {
        XCTAssertNotNil(SimpleHTTPURL("https://www.lemonde.fr/rss/une.xml"))
        XCTAssertNotNil(SimpleHTTPURL("https://news.example.org:8443/feed?a=1&b=2#top"))
        XCTAssertNil(SimpleHTTPURL("https://example.org/%20"), "escapes need decoding: the full parser")
        XCTAssertNil(SimpleHTTPURL("https://user@example.org/"))
    }
}
