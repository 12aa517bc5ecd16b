import FeedwatchConfig
import XCTest

/// `http:` (SPEC §8) and `database:` (SPEC §9): the values they give and one located error per
/// mistake, the token and the URI's password never quoted.
final class ServicesConfigTests: XCTestCase {
    private let head = """
        feeds: [{url: "https://example.org/feed.xml", name: ex}]
        rules: [{name: r, any: [panne]}]

        """

    private func load(_ yaml: String, env: [String: String] = [:]) throws -> Config {
        try ConfigLoader.parse(head + yaml, path: "feedwatch.yaml", environment: env)
    }

    private func errors(_ yaml: String, env: [String: String] = [:]) -> [String] {
        do {
            _ = try ConfigLoader.parse(head + yaml, path: "feedwatch.yaml", environment: env)
            XCTFail("expected the configuration to be rejected")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    // MARK: - http

    func testListenTakesHostAndPortBracketedIPv6OrAPortAloneForLoopback() throws {
        let cases: [(String, String, Int, String)] = [
            ("\"127.0.0.1:9797\"", "127.0.0.1", 9797, "127.0.0.1:9797"),
            ("\"[::1]:9797\"", "::1", 9797, "[::1]:9797"),
            ("\":8080\"", "127.0.0.1", 8080, "127.0.0.1:8080"),
            ("9797", "127.0.0.1", 9797, "127.0.0.1:9797"),
            ("localhost:80", "localhost", 80, "localhost:80"),
            ("127.1.2.3:1", "127.1.2.3", 1, "127.1.2.3:1"),
        ]
        for (listen, host, port, address) in cases {
            let http = try XCTUnwrap(load("http: {listen: \(listen)}\n").http, listen)
            XCTAssertEqual(http.host, host, listen)
            XCTAssertEqual(http.port, port, listen)
            XCTAssertEqual(http.address, address, listen)
            XCTAssertNil(http.token)
            XCTAssertTrue(http.isLoopback, listen)
        }
        XCTAssertNil(try load("").http, "no http: means no listener")
    }

    func testANonLoopbackListenerNeedsAToken() throws {
        let http = try XCTUnwrap(
            load(
                """
                http:
                  listen: 0.0.0.0:9797
                  token: ${FEEDWATCH_HTTP_TOKEN}
                """, env: ["FEEDWATCH_HTTP_TOKEN": "s3cret-t0ken"]
            ).http)
        XCTAssertEqual(http, HTTPListenerConfig(host: "0.0.0.0", port: 9797, token: "s3cret-t0ken"))
        XCTAssertFalse(http.isLoopback)
        XCTAssertFalse(String(describing: http).contains("s3cret"))
        XCTAssertEqual(
            errors("http:\n  listen: \"[2001:db8::1]:9797\"\n"),
            [
                "feedwatch.yaml:4:11: http.listen: \"[2001:db8::1]:9797\" is reachable from other machines: set http.token too (requests then need Authorization: Bearer TOKEN), or listen on a loopback address (127.0.0.1, ::1, localhost)"
            ])
    }

    func testEachListenerMistakeIsOneLocatedErrorWithoutTheToken() {
        let token = "tok-1f2e3d 4c5b"
        XCTAssertEqual(
            errors(
                """
                http: {listen: "127.0.0.1:99999", tokn: x}
                """),
            [
                "feedwatch.yaml:3:16: http.listen: \"127.0.0.1:99999\": the port must be a number from 0 to 65535 (0: any free port)",
                "feedwatch.yaml:3:35: http.tokn: unknown key (did you mean token?)",
            ])
        XCTAssertEqual(
            errors("http: {listen: \"::1:9797\"}\n"),
            [
                "feedwatch.yaml:3:16: http.listen: \"::1:9797\": an IPv6 address is written in brackets, as in [::1]:9797"
            ])
        XCTAssertEqual(
            errors("http: {listen: \"exa mple:80\"}\n"),
            [
                "feedwatch.yaml:3:16: http.listen: \"exa mple:80\": \"exa mple\" is not an IP address or a host name"
            ])
        XCTAssertEqual(
            errors("http: {listen: \"300.1.1.1:80\"}\n"),
            [
                "feedwatch.yaml:3:16: http.listen: \"300.1.1.1:80\": \"300.1.1.1\" is not an IP address or a host name"
            ])
        XCTAssertEqual(
            errors("http: {listen: example.org}\n"),
            [
                "feedwatch.yaml:3:16: http.listen: \"example.org\" has no port (examples: 127.0.0.1:9797, [::1]:9797, 0.0.0.0:9797, or 9797 alone for 127.0.0.1)"
            ])
        XCTAssertEqual(
            errors("http: {token: x}\n"),
            ["feedwatch.yaml:3:7: http: missing listen: (for example listen: 127.0.0.1:9797)"])
        let lines = errors(
            "http: {listen: \"0.0.0.0:1\", token: \"${T}\"}\n", env: ["T": token])
        XCTAssertEqual(
            lines, ["feedwatch.yaml:3:36: http.token: must be one word: no spaces, line breaks or control characters"])
        XCTAssertFalse(lines.joined().contains("1f2e3d"))
        XCTAssertEqual(
            errors("http: {listen: \"0.0.0.0:1\", token: \"${T}\"}\n", env: ["T": ""]),
            ["feedwatch.yaml:3:36: http.token: is empty"])
    }

    func testAnUnsetTokenStopsTheLoadUnlessOnlyTheStateIsRead() throws {
        let yaml = head + "http: {listen: \"0.0.0.0:9797\", token: \"${FW_HTTP_TOKEN}\"}\n"
        XCTAssertThrowsError(try ConfigLoader.parse(yaml, path: "feedwatch.yaml", environment: [:])) { error in
            XCTAssertEqual(
                (error as? ConfigError)?.description,
                "feedwatch.yaml:3:39: http.token: variable FW_HTTP_TOKEN is not set (neither in the environment nor as a credential in $CREDENTIALS_DIRECTORY)"
            )
        }
        let readOnly = try ConfigLoader.parse(
            yaml, path: "feedwatch.yaml", environment: [:], unsetDestinationSecrets: .allowed)
        XCTAssertEqual(readOnly.http?.unsetVariables, ["FW_HTTP_TOKEN"])
        XCTAssertNil(readOnly.http?.token)
    }

    // MARK: - database

    func testADatabaseURIGivesItsParts() throws {
        let database = try XCTUnwrap(
            load(
                "database: \"postgres://feedwatch:${DB_PASSWORD}@db.example.org/feedwatch?sslmode=require&connect_timeout=5\"\n",
                env: ["DB_PASSWORD": "p%40ss%3Aw%2Frd"]
            ).database)
        XCTAssertEqual(database.host, "db.example.org")
        XCTAssertEqual(database.port, 5432)
        XCTAssertEqual(database.user, "feedwatch")
        XCTAssertEqual(database.password, "p@ss:w/rd")
        XCTAssertEqual(database.name, "feedwatch")
        XCTAssertEqual(database.parameters, ["sslmode": "require", "connect_timeout": "5"])
        XCTAssertEqual(
            database.uri,
            "postgres://feedwatch:p%40ss%3Aw%2Frd@db.example.org/feedwatch?sslmode=require&connect_timeout=5")
        XCTAssertEqual(database.description, "db.example.org:5432/feedwatch")
        XCTAssertFalse(String(reflecting: database).contains("p%40ss"))

        let other = try XCTUnwrap(
            load("database: postgresql://u%40x:p%25w@[2001:db8::5]:6543,replica:6544/fw%20db\n").database)
        XCTAssertEqual(other.servers, [.init(host: "2001:db8::5", port: 6543), .init(host: "replica", port: 6544)])
        XCTAssertEqual(other.user, "u@x")
        XCTAssertEqual(other.password, "p%w")
        XCTAssertEqual(other.name, "fw db")
        XCTAssertEqual(other.description, "[2001:db8::5]:6543,replica:6544/fw db")

        let socket = try XCTUnwrap(load("database: \"postgres:///feedwatch?host=/run/postgresql\"\n").database)
        XCTAssertEqual(socket.host, "/run/postgresql")
        XCTAssertNil(socket.user)
        XCTAssertNil(try load("").database, "no database: means SQLite")
    }

    func testEachDatabaseMistakeIsOneErrorThatNeverQuotesTheURI() {
        let password = "Zx9-secret-Qw"
        let cases: [(String, String)] = [
            (
                "mysql://u:\(password)@db/fw",
                "not a PostgreSQL URI: it starts with postgres:// or postgresql:// (postgres://feedwatch@db.example.org/feedwatch)"
            ),
            (
                "postgres://u:\(password)@db.example.org",
                "the database name is missing: end the URI with /NAME, as in postgres://feedwatch@db.example.org/feedwatch"
            ),
            ("postgres://u:\(password)@db.example.org:5o32/fw", "the port must be a number from 1 to 65535"),
            (
                "postgres://u:\(password)@db/fw?sslmod=require",
                "query parameter 1 is not a libpq parameter (did you mean sslmode?)"
            ),
            (
                "postgres://u:\(password)@db/fw?sslmode=always",
                "sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full"
            ),
            (
                "postgres://u:\(password)%zz@db/fw",
                "the password holds a % that is not followed by two hex digits (write % as %25)"
            ),
            ("postgres://u:\(password)@db/fw?\(password)", "query parameter 1 has no value (write NAME=VALUE)"),
        ]
        for (uri, message) in cases {
            let lines = errors("database: \"${DB_URI}\"\n", env: ["DB_URI": uri])
            XCTAssertEqual(lines, ["feedwatch.yaml:3:11: database: \(message)"], uri)
            XCTAssertFalse(lines.joined().contains(password), uri)
        }
        XCTAssertEqual(
            errors("database: {host: db}\n"),
            [
                "feedwatch.yaml:3:11: database: missing url: (for example url: postgres://feedwatch@db/feedwatch)",
                "feedwatch.yaml:3:12: database.host: unknown key (known keys: url, lease)",
            ])
        XCTAssertEqual(
            errors("database: {url: \"postgres://db/fw\", lease: 0s}\n"),
            ["feedwatch.yaml:3:44: database.lease: 0s is too short (the minimum is 1s)"])
    }

    func testTheMappingFormSetsTheLeasePeriod() throws {
        let database = try XCTUnwrap(
            load("database: {url: \"postgres://feedwatch:${DB_PASSWORD}@db/fw\", lease: 5s}\n", env: ["DB_PASSWORD": "pw"])
                .database)
        XCTAssertEqual(database.leasePeriod, 5)
        XCTAssertEqual(database.password, "pw")
        XCTAssertEqual(try XCTUnwrap(load("database: postgres://db/fw\n").database).leasePeriod, 60, "60 s by default")
    }
}
