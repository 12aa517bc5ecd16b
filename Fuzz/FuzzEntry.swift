// libFuzzer entry for the feed parser: every input is parsed as a feed (with and without an HTTP
// charset) and read as a web page announcing feeds, and its bytes also go through the date reader
// and the HTML text stripper directly.
// Built by Fuzz/parse-fuzz.sh together with the FeedwatchParse sources.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    if let feed = try? FeedParser.parse(bytes, url: "https://fuzz.example.org/dir/feed.xml") {
        _ = feed.jsonString(pretty: true)
    }
    _ = try? FeedParser.parse(bytes, url: "", httpCharset: size % 2 == 0 ? "windows-1251" : "utf-16")
    let text = String(decoding: bytes.prefix(256), as: UTF8.self)
    _ = Dates.parse(text)
    _ = HTMLText.plainText(html: Array(bytes.prefix(4096)))
    _ = HTMLFeedLinks.find(in: bytes, pageURL: "https://fuzz.example.org/dir/page.html")
    return 0
}
