import FeedwatchConfig
import FeedwatchFetch
import FeedwatchHTTP
import FeedwatchParse
import FeedwatchState
import Foundation
import Logging

/// One finished poll: the fetch result and, for a document, what processing it gave.
struct PollReport: Sendable {
    var feed: String
    var result: FetchResult
    /// Set when a document was parsed and recorded.
    var processed: ProcessedDocument?
    /// Set when the document could not be parsed or recorded: the poll counts as failed and the
    /// new validators are not kept, so the next poll fetches the whole document again.
    var processingError: String?
    /// The schedule's view of the poll.
    var outcome: PollOutcome
    /// What `feedwatch state` shows as the last status.
    var statusText: String
}

/// Fetches one feed and runs its document through the pipeline; used by `run` and `once`.
struct FeedPoller: Sendable {
    let fetcher: FeedFetcher
    let processor: DocumentProcessor
    let logger: Logger

    /// The conditional request for `feed`, from the validators and URL the store holds.
    static func request(for feed: FeedConfig, state: FeedState?) -> FetchRequest? {
        let held = state.flatMap { $0.configuredURL == feed.source.url ? $0 : nil }
        let urlText = held?.url ?? feed.source.url
        guard let url = URL(string: urlText) else { return nil }
        var headers = HTTPHeaders()
        for (name, value) in feed.headers.sorted(by: { $0.key < $1.key }) { headers.add(name: name, value: value) }
        var isFile = false
        if case .file = feed.source { isFile = true }
        return FetchRequest(
            url: url, etag: held?.etag, lastModified: held?.lastModified, headers: headers,
            userAgent: feed.settings.userAgent, timeout: feed.settings.timeout,
            connectTimeout: min(10, feed.settings.timeout), maxSize: feed.settings.maxSize, allowFileURL: isFile)
    }

    func poll(_ feed: FeedConfig, state: FeedState?, now: @Sendable () -> Date = Date.init) async -> PollReport {
        var log = logger
        log[metadataKey: "feed"] = "\(feed.name)"
        guard let request = Self.request(for: feed, state: state) else {
            let result = FetchResult(outcome: .failed("invalid URL"))
            return PollReport(
                feed: feed.name, result: result, outcome: .failure(retryAfter: nil), statusText: "invalid URL")
        }
        let result = await fetcher.fetch(request)
        var report = PollReport(
            feed: feed.name, result: result, outcome: PollOutcome(result),
            statusText: result.status.map(String.init) ?? "error")
        switch result.outcome {
        case .document(let body, let charset, let finalURL):
            // The report outlives the poll (`once` keeps one per feed): it must not keep the body.
            report.result.outcome = .document(body: Data(), charset: charset, finalURL: finalURL)
            do {
                let processed = try processor.process(
                    feed: feed, documentURL: finalURL.absoluteString, body: body, charset: charset, now: now())
                report.processed = processed
                report.outcome = PollOutcome(result, feedTTL: processed.ttlMinutes.map { TimeInterval($0) * 60 })
                for warning in processed.warnings {
                    log.warning("feed document: \(warning)")
                }
                if processed.record.fired > 0 {
                    log.info("\(processed.record.fired) alert(s) from \(processed.record.newItems) new item(s)")
                }
            } catch let error as FeedParseError {
                report.processingError = error.description
                report.outcome = .failure(retryAfter: nil)
                report.statusText = "parse error: \(error.description)"
                log.warning("cannot parse the feed: \(error.description)")
            } catch {
                report.processingError = "\(error)"
                report.outcome = .failure(retryAfter: nil)
                report.statusText = "state error: \(error)"
                log.error("cannot record the feed's items (will retry): \(error)")
            }
        case .notModified:
            break
        case .gone:
            report.statusText = "410 gone"
            log.error("the feed answered 410 Gone: polling stopped until its URL changes in the configuration")
        case .failed(let message):
            report.statusText = result.status.map { "\($0): \(message)" } ?? message
            log.warning("poll failed: \(message)")
        }
        return report
    }

    /// The feed's state after this poll, for the store and `feedwatch state`.
    static func updatedState(
        _ previous: FeedState?, feed: FeedConfig, report: PollReport, nextDue: Date?, consecutiveErrors: Int, now: Date
    ) -> FeedState {
        var state =
            previous.flatMap { $0.configuredURL == feed.source.url ? $0 : nil }
            ?? FeedState(name: feed.name, url: nil, configuredURL: feed.source.url)
        state.firstPollDone = previous?.firstPollDone ?? false
        state.configuredURL = feed.source.url
        state.lastPoll = now
        state.lastStatus = report.statusText
        state.consecutiveErrors = consecutiveErrors
        state.nextDue = nextDue
        if report.processingError == nil {
            switch report.result.outcome {
            case .document, .notModified:
                state.etag = report.result.etag
                state.lastModified = report.result.lastModified
                if let moved = report.result.permanentRedirectURL { state.url = moved.absoluteString }
            case .gone:
                state.gone = true
            case .failed:
                break
            }
        }
        return state
    }
}
