// Temporary until the matcher lands.
import Foundation
public enum Keyword {
    public static func syntaxError(in keyword: String) -> String? {
        if keyword.trimmingCharacters(in: .whitespaces).isEmpty { return "empty keyword" }
        return nil
    }
}
