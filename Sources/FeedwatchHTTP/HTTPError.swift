/// Why a transfer produced no HTTP response.
public enum HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The whole transfer (all redirect hops together) took longer than the request's timeout.
    case timeout(seconds: Double)
    /// The transfer was slower than the low-speed limit for the low-speed time.
    case tooSlow(bytesPerSecond: Int, seconds: Int)
    /// The decompressed body grew past the request's maximum size; the transfer was aborted.
    case tooLarge(maxSize: Int)
    /// The host could not be resolved or no connection could be made.
    case connectFailed(String)
    /// More redirects than allowed (also what a redirect loop ends as).
    case tooManyRedirects(Int)
    /// A redirect pointed to a scheme other than http or https.
    case redirectNotAllowed(String)
    /// The client was shut down before the transfer finished.
    case cancelled
    /// Any other failure, with libcurl's message.
    case other(String)

    public var description: String {
        switch self {
        case .timeout(let seconds):
            return "timed out after \(formatSeconds(seconds)) s"
        case .tooSlow(let rate, let seconds):
            return "transfer too slow: less than \(rate) bytes/s for \(seconds) s"
        case .tooLarge(let maxSize):
            return "response body larger than max_size \(maxSize) bytes"
        case .connectFailed(let message):
            return "could not connect: \(message)"
        case .tooManyRedirects(let limit):
            return "too many redirects (more than \(limit))"
        case .redirectNotAllowed(let location):
            return "redirect to a URL that is not http or https: \(location)"
        case .cancelled:
            return "cancelled: the HTTP client was shut down"
        case .other(let message):
            return message
        }
    }
}

private func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}
