import Foundation
import HummingbirdCore

/// A request's query string read as HTML forms and Python's `urlencode` write it: `+` is a space
/// and `%XX` a byte. Hummingbird's `queryParameters` only percent-decodes, so a filter such as
/// MLflow's `tag.x != 'true'` arrived as `tag.x+!=+'true'`.
public struct FormQuery: Sendable, Sequence {
    /// The pairs in order; a key may repeat.
    public let pairs: [(key: String, value: String)]

    public init(_ rawQuery: String?) {
        pairs = (rawQuery ?? "").split(separator: "&", omittingEmptySubsequences: true).map { field in
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// The first value given for `key`.
    public subscript(key: some StringProtocol) -> String? {
        pairs.first { $0.key == key }?.value
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: String)]> { pairs.makeIterator() }

    /// `+` to space, then percent-decoding; a malformed escape is kept as written.
    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

extension Request {
    /// The query string decoded as a form (`+` is a space); see `FormQuery`.
    public var formQuery: FormQuery { FormQuery(uri.query) }
}
