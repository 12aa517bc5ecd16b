import Foundation
import Yams

/// Reads, expands and validates a configuration file (SPEC §2).
public enum ConfigLoader {
    /// Where the configuration is when no `-c` is given: `$FEEDWATCH_CONFIG`, else the system path.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["FEEDWATCH_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/feedwatch/feedwatch.yaml"
    }

    /// Loads the file at `path`, reporting every problem at once. `unsetDestinationSecrets:
    /// .allowed` is for commands that never deliver: see `UnsetDestinationSecrets`.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        unsetDestinationSecrets: UnsetDestinationSecrets = .refused
    ) throws(ConfigError) -> Config {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(diagnostics: [
                .init(
                    file: path, line: 1, column: 1, keyPath: "",
                    message: "cannot read the configuration file: \(readFailureReason(path))")
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(diagnostics: [
                .init(file: path, line: 1, column: 1, keyPath: "", message: "the file is not UTF-8 text")
            ])
        }
        return try parse(text, path: path, environment: environment, unsetDestinationSecrets: unsetDestinationSecrets)
    }

    /// Validates configuration text; `path` names it in messages and anchors relative `file:` feeds.
    public static func parse(
        _ text: String, path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        unsetDestinationSecrets: UnsetDestinationSecrets = .refused
    ) throws(ConfigError) -> Config {
        // A long `feeds:` list is composed piece by piece, so that its YAML tree never exists whole;
        // whatever the pieces cannot stand for, the whole file is composed as usual.
        if let block = FeedsBlock.locate(in: text),
            let remainder = try? Yams.compose(yaml: block.remainder, Resolver.basic),
            let result = try? build(
                remainder, text: text, path: path, environment: environment,
                unsetDestinationSecrets: unsetDestinationSecrets, feedsBlock: block)
        {
            return try result.get()
        }
        let root: Node?
        do {
            // No tag resolution: every value is read as the text written (ours to check), and
            // Yams' resolver would run its regular expressions on every scalar.
            root = try Yams.compose(yaml: text, Resolver.basic)
        } catch {
            throw ConfigError(diagnostics: [syntaxDiagnostic(error, file: path)])
        }
        guard let root, !ConfigNodeReader.isNull(root) else {
            throw ConfigError(diagnostics: [
                .init(
                    file: path, line: 1, column: 1, keyPath: "",
                    message: "the file is empty: it needs at least feeds: and rules:")
            ])
        }
        do {
            return try build(
                root, text: text, path: path, environment: environment,
                unsetDestinationSecrets: unsetDestinationSecrets, feedsBlock: nil
            ).get()
        } catch let error as ConfigError {
            throw error
        } catch {
            // Unreachable: only reading the feeds in pieces can find the pieces unusable.
            throw ConfigError(diagnostics: [
                .init(file: path, line: 1, column: 1, keyPath: "", message: "cannot read the file: \(error)")
            ])
        }
    }

    private static func build(
        _ root: Node, text: String, path: String, environment: [String: String],
        unsetDestinationSecrets: UnsetDestinationSecrets, feedsBlock: FeedsBlock?
    ) throws(FeedsBlock.Unusable) -> Result<Config, ConfigError> {
        var builder = ConfigBuilder(
            reader: ConfigNodeReader(
                file: path, expansion: VariableExpansion(environment: environment),
                unsetDestinationSecrets: unsetDestinationSecrets),
            configDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().path,
            environment: environment, sourceText: text)
        let config = try builder.build(root, path: path, feedsBlock: feedsBlock)
        if let config, builder.reader.diagnostics.isEmpty { return .success(config) }
        // The configuration file's errors first, then those of a file it names (`feeds_from:`).
        let diagnostics = builder.reader.diagnostics.sorted {
            ($0.file == path ? 0 : 1, $0.line, $0.column) < ($1.file == path ? 0 : 1, $1.line, $1.column)
        }
        return .failure(ConfigError(diagnostics: diagnostics))
    }

    /// Why `path` cannot be read, in a few words.
    static func readFailureReason(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        if access(path, R_OK) != 0 { return String(cString: strerror(errno)).lowercased() }
        return "permission denied"
    }

    private static func syntaxDiagnostic(_ error: Error, file: String) -> ConfigDiagnostic {
        switch error {
        case YamlError.scanner(_, let problem, let mark, _), YamlError.parser(_, let problem, let mark, _),
            YamlError.composer(_, let problem, let mark, _):
            return .init(
                file: file, line: mark.line, column: mark.column, keyPath: "", message: "invalid YAML: \(problem)")
        case YamlError.duplicatedKeysInMapping(let duplicates, let context):
            return .init(
                file: file, line: context.mark.line, column: context.mark.column, keyPath: "",
                message: "key given twice: \(duplicates.joined(separator: ", "))")
        case YamlError.reader(let problem, _, _, _):
            return .init(file: file, line: 1, column: 1, keyPath: "", message: "invalid YAML: \(problem)")
        default:
            return .init(file: file, line: 1, column: 1, keyPath: "", message: "invalid YAML: \(error)")
        }
    }
}
