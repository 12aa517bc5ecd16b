import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where an SMTP client connects and how it protects the session, read from an `smtp:` URL (SPEC §5).
///
/// | URL | TLS | credentials |
/// | --- | --- | --- |
/// | `smtps://host[:465]` | from the first byte | over TLS |
/// | `smtp://host[:587]` | STARTTLS when the server offers it | only over TLS: without STARTTLS the send fails |
/// | `smtp+insecure://host` | STARTTLS when the server offers it | also in clear |
struct SMTPEndpoint: Equatable {
    /// How the session is protected.
    enum Security: Equatable {
        /// `smtps://`: TLS from the first byte.
        case implicitTLS
        /// STARTTLS, or no send at all: credentials must never cross the network in clear.
        case startTLSRequired
        /// STARTTLS when offered, else in clear.
        case startTLSIfOffered
    }

    /// The URL handed to libcurl: the scheme curl knows, and the name to greet the server with as its path.
    let curlURL: String
    let security: Security

    /// Reads `url`; `hasCredentials` says whether a username or a password will be sent.
    init(url: String, hasCredentials: Bool, greetingName: String = SMTPEndpoint.localHostName())
        throws(SMTPConfigurationError)
    {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            throw SMTPConfigurationError(
                description: "the smtp URL is not valid (smtps://host:465, smtp://host:587 or smtp+insecure://host)")
        }
        // A user or password written in the URL is a credential too.
        let sendsCredentials = hasCredentials || components.user != nil || components.password != nil
        switch scheme {
        case "smtps":
            security = .implicitTLS
        case "smtp":
            security = sendsCredentials ? .startTLSRequired : .startTLSIfOffered
        case "smtp+insecure":
            components.scheme = "smtp"
            security = .startTLSIfOffered
        default:
            throw SMTPConfigurationError(
                description: "\(scheme):// is not an SMTP scheme (smtps://, smtp:// or smtp+insecure://)")
        }
        // libcurl greets the server (EHLO) with the URL's path, and with "localhost" when there is none:
        // servers that check the greeting expect this machine's name.
        if components.path.isEmpty || components.path == "/" {
            components.path = "/" + greetingName
        }
        guard let rewritten = components.string else {
            throw SMTPConfigurationError(description: "the smtp URL is not valid")
        }
        curlURL = rewritten
    }

    /// This machine's name when it is a plausible domain name, else "localhost".
    static func localHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let allowed = name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == ".")
        }
        return !name.isEmpty && allowed && !name.hasPrefix(".") && !name.hasPrefix("-") ? name : "localhost"
    }
}

/// Why an SMTP client cannot be set up from its configuration.
public struct SMTPConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    /// An error saying `description`.
    public init(description: String) {
        self.description = description
    }
}
