import Foundation

/// URLs as the listener shows them. A feed URL may carry a secret — GitHub's private feeds put a
/// token in the query, others put credentials before the host — and the listener may be read by
/// anyone with its token: credentials are dropped and query values hidden, names kept so a person
/// still recognises the URL (`https://github.com/me.private.atom?token=…`).
public enum DisplayURL {
    /// `url` without its user and password, each query value replaced by `…`, the fragment dropped.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.scheme != nil else {
            return fallbackRedacted(url)
        }
        let query = components.percentEncodedQuery
        components.user = nil
        components.password = nil
        components.fragment = nil
        // "…" is no URL character: the query is written after, as text for a person.
        components.percentEncodedQuery = nil
        guard let base = components.string else { return fallbackRedacted(url) }
        guard let query, !query.isEmpty else { return base }
        let names = query.split(separator: "&", omittingEmptySubsequences: false).map { part in
            let name = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return part.contains("=") ? "\(name)=…" : String(name)
        }
        return base + "?" + names.joined(separator: "&")
    }

    /// `text` (an error message that may quote `url`) with `url` replaced by its redacted form.
    public static func redacting(_ url: String, in text: String) -> String {
        guard !url.isEmpty, text.contains(url) else { return text }
        return text.replacingOccurrences(of: url, with: redacted(url))
    }

    /// What URLComponents cannot read: everything from the first `?` or `#` goes, and so does
    /// anything before an `@` in the authority.
    private static func fallbackRedacted(_ url: String) -> String {
        var text = Substring(url)
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = text[..<cut] }
        if let scheme = text.range(of: "://") {
            let authorityEnd = text[scheme.upperBound...].firstIndex(of: "/") ?? text.endIndex
            if let at = text[scheme.upperBound..<authorityEnd].lastIndex(of: "@") {
                text = text[..<scheme.upperBound] + text[text.index(after: at)...]
            }
        }
        return String(text)
    }
}
