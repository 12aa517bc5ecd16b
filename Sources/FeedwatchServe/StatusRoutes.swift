import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The listener's routes (SPEC §8), all read-only: GET, and HEAD answered from GET.
///
/// | path | answer |
/// | --- | --- |
/// | `/metrics` | Prometheus text format 0.0.4 |
/// | `/healthz` | 200 `ok` while every daemon loop beats in time, else 503 naming the stuck one |
/// | `/readyz` | 200 once the daemon is ready, 503 before |
/// | `/api/v1/feeds` | `FeedsSnapshot`: `?status=ok,failing,gone,silent,problem&limit=100&offset=0` |
/// | `/api/v1/alerts` | `[AlertSnapshot]`: `?since=RFC3339&rule=NAME&limit=50` |
/// | `/api/v1/outbox` | `OutboxSnapshot` |
/// | `/` | the status page |
enum StatusRoutes {
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    static func router(
        settings: ListenerSettings, source: any StatusSource, liveness: Liveness, logger: Logger
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        // Middleware first: it guards every route added after it, and the "not found" answer too.
        if let token = settings.token { router.add(middleware: BearerAuthentication(token: token)) }
        router.add(middleware: ReadOnlyMethods())

        router.get("/metrics") { _, _ in
            text(.ok, await source.metricsText(), contentType: metricsContentType)
        }
        router.get("/healthz") { _, _ in
            guard let stuck = liveness.stuckText() else { return text(.ok, "ok\n") }
            return text(.serviceUnavailable, stuck + "\n")
        }
        router.get("/readyz") { _, _ in
            liveness.isReady ? text(.ok, "ready\n") : text(.serviceUnavailable, "not ready: still starting\n")
        }
        router.get("/api/v1/feeds") { request, _ in
            try await answer(logger) {
                let query = try APIParameters.feedQuery(request.uri.queryParameters)
                return try json(await source.feeds(query))
            }
        }
        router.get("/api/v1/alerts") { request, _ in
            try await answer(logger) {
                let query = try APIParameters.alertQuery(request.uri.queryParameters)
                return try json(await source.alerts(since: query.since, rule: query.rule, limit: query.limit))
            }
        }
        router.get("/api/v1/outbox") { _, _ in
            try await answer(logger) { try json(await source.outbox()) }
        }
        router.get("/") { _, _ in
            try await answer(logger) {
                let page = try await StatusPage.render(source: source, liveness: liveness, now: Date())
                return html(page)
            }
        }
        return router
    }

    /// Runs `body`; a bad query is 400 with the reason, a store that cannot answer 500 (logged).
    private static func answer(_ logger: Logger, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as BadRequest {
            return text(.badRequest, error.description + "\n")
        } catch {
            logger.error("status listener: cannot read the state: \(error)")
            return text(.internalServerError, "cannot read the state: \(error)\n")
        }
    }

    static func text(
        _ status: HTTPResponse.Status, _ body: String, contentType: String = "text/plain; charset=utf-8"
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ value: some Encodable) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        let data = try APIJSON.encode(value)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The status page: no script may run (it has none, and feed text must never bring one), no
    /// asset is fetched, and following an item's link does not tell its site where it came from.
    static func html(_ page: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        if let referrerPolicy = HTTPField.Name("Referrer-Policy") { headers[referrerPolicy] = "no-referrer" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}

/// Only GET and HEAD: the listener changes nothing, and says so with 405 and `Allow`.
struct ReadOnlyMethods<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard request.method == .get || request.method == .head else {
            var response = StatusRoutes.text(.methodNotAllowed, "read-only: only GET and HEAD\n")
            response.headers[.allow] = "GET, HEAD"
            return response
        }
        return try await next(request, context)
    }
}
