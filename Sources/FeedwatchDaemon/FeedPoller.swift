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

/// A poll fetched, and its document parsed and matched, waiting to be recorded.
struct PreparedPoll: Sendable {
    var feed: FeedConfig
    var report: PollReport
    /// Set when a document was fetched and parsed.
    var document: PreparedDocument?
    /// The document was fetched but is not a feed (the report says why).
    var parseFailed = false
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

    /// Fetches, parses and records one feed: the daemon's poll, its items recorded in document order.
    func poll(_ feed: FeedConfig, state: FeedState?, now: @Sendable () -> Date = Date.init) async -> PollReport {
        await record(await fetchAndPrepare(feed, state: state, now: now), now: now())
    }

    /// Fetches and parses one feed and matches its new items, recording nothing: `once` prepares
    /// many feeds at a time and records them one by one in configuration order.
    func fetchAndPrepare(
        _ feed: FeedConfig, state: FeedState?, now: @Sendable () -> Date = Date.init
    ) async -> PreparedPoll {
        guard let request = Self.request(for: feed, state: state) else { return Self.invalidURL(feed) }
        return await prepare(feed, state: state, fetched: await fetcher.fetch(request), now: now)
    }

    /// A poll whose URL is not one: it fails without a fetch.
    static func invalidURL(_ feed: FeedConfig) -> PreparedPoll {
        let result = FetchResult(outcome: .failed("invalid URL"))
        return PreparedPoll(
            feed: feed,
            report: PollReport(
                feed: feed.name, result: result, outcome: .failure(retryAfter: nil), statusText: "invalid URL"))
    }

    /// A fetch that brought no document (304, 410, a failure): nothing to parse or record.
    static func withoutDocument(_ feed: FeedConfig, fetched result: FetchResult) -> PreparedPoll {
        PreparedPoll(
            feed: feed,
            report: PollReport(
                feed: feed.name, result: result, outcome: PollOutcome(result),
                statusText: result.status.map(String.init) ?? "error"))
    }

    /// Parses and matches what a fetch brought, recording nothing.
    func prepare(
        _ feed: FeedConfig, state: FeedState?, fetched result: FetchResult, now: @Sendable () -> Date = Date.init
    ) async -> PreparedPoll {
        guard case .document(let body, let charset, let finalURL) = result.outcome else {
            return Self.withoutDocument(feed, fetched: result)
        }
        var report = Self.withoutDocument(feed, fetched: result).report
        // The report outlives the poll (`once` keeps one per feed): it must not keep the body.
        report.result.outcome = .document(body: Data(), charset: charset, finalURL: finalURL)
        do {
            let prepared = try await processor.prepare(
                feed: feed, state: state, documentURL: finalURL.absoluteString, body: body, charset: charset, now: now())
            return PreparedPoll(feed: feed, report: report, document: prepared)
        } catch let error as FeedParseError {
            report.processingError = error.description
            report.outcome = .failure(retryAfter: nil)
            report.statusText = "parse error: \(error.description)"
            return PreparedPoll(feed: feed, report: report, parseFailed: true)
        } catch {
            report.processingError = "\(error)"
            report.outcome = .failure(retryAfter: nil)
            report.statusText = "state error: \(error)"
        }
        return PreparedPoll(feed: feed, report: report)
    }

    /// The feed's logger, made only when there is something to log: most polls log nothing.
    private static func feedLogger(_ feed: FeedConfig, _ logger: Logger) -> Logger {
        var log = logger
        log[metadataKey: "feed"] = "\(feed.name)"
        return log
    }

    /// Records a prepared poll (items and alerts in one transaction) and logs what the user needs.
    func record(_ prepared: PreparedPoll, now: Date) async -> PollReport {
        guard let document = prepared.document else { return finish(prepared, recorded: nil) }
        do {
            return finish(prepared, recorded: .success(try await processor.record(document, feed: prepared.feed, now: now)))
        } catch {
            return finish(prepared, recorded: .failure(error))
        }
    }

    /// Records prepared polls in order, their documents in as few transactions as the store can
    /// (`once`: a commit per batch, not per feed); the same reports and logs as one at a time.
    func record(_ batch: [PreparedPoll], now: Date) async -> [PollReport] {
        let documents = batch.compactMap { prepared in prepared.document.map { (feed: prepared.feed, document: $0) } }
        var recorded: Result<[ProcessedDocument], any Error> = .success([])
        if !documents.isEmpty {
            do { recorded = .success(try await processor.record(documents, now: now)) } catch { recorded = .failure(error) }
        }
        var next = 0
        return batch.map { prepared in
            guard prepared.document != nil else { return finish(prepared, recorded: nil) }
            defer { next += 1 }
            return finish(prepared, recorded: recorded.map { $0[next] })
        }
    }

    /// The report of a prepared poll once its document (if any) was recorded, or failed to be.
    private func finish(_ prepared: PreparedPoll, recorded: Result<ProcessedDocument, any Error>?) -> PollReport {
        let feed = prepared.feed
        var report = prepared.report
        let result = report.result
        if let recorded {
            var log: Logger { Self.feedLogger(feed, logger) }
            do {
                let processed = try recorded.get()
                report.processed = processed
                report.outcome = PollOutcome(result, feedTTL: processed.ttlMinutes.map { TimeInterval($0) * 60 })
                for warning in processed.warnings {
                    log.warning("feed document: \(warning)")
                }
                if processed.record.fired > 0 {
                    log.info("\(processed.record.fired) alert(s) from \(processed.record.newItems) new item(s)")
                }
            } catch {
                report.processingError = "\(error)"
                report.outcome = .failure(retryAfter: nil)
                report.statusText = "state error: \(error)"
                log.error("cannot record the feed's items (will retry): \(error)")
            }
            return report
        }
        return Self.finish(prepared, logger: logger)
    }

    /// Ends a poll that has no document to record (a 304, a failure, or one that could not be
    /// parsed): its report, and what the user needs to read in the log. Never suspends: the
    /// polling loop runs it for every such poll itself.
    static func finish(_ prepared: PreparedPoll, logger: Logger) -> PollReport {
        let feed = prepared.feed
        var report = prepared.report
        let result = report.result
        var log: Logger { feedLogger(feed, logger) }
        if let error = report.processingError {
            if prepared.parseFailed {
                log.warning("cannot parse the feed: \(error)")
            } else {
                log.error("cannot record the feed's items (will retry): \(error)")
            }
            return report
        }
        switch result.outcome {
        case .document:
            break
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
        // Recording a document ends the first poll (the store turns it on in the same transaction):
        // a state kept in memory must say so too, or the next poll would not match its items.
        state.firstPollDone = (previous?.firstPollDone ?? false) || report.processed != nil
        state.configuredURL = feed.source.url
        state.lastPoll = now
        state.lastStatus = report.statusText
        state.consecutiveErrors = consecutiveErrors
        state.nextDue = nextDue
        // Health (SPEC §7): a failing run starts at its first failure; silence counts from the
        // last poll that brought a new item (or the first that worked).
        if consecutiveErrors > 0 {
            state.failingSince = state.failingSince ?? now
        } else {
            state.failingSince = nil
            if (report.processed?.record.newItems ?? 0) > 0 || state.lastNewItem == nil { state.lastNewItem = now }
        }
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
