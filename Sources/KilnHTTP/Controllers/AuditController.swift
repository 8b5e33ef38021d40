import Foundation
import Hummingbird
import KilnCore
import KilnHTTPKit

/// `/v1/audit`: the administrative action log, newest first (admin only).
struct AuditController {
    let audit: any AuditLogRepository

    struct EntryView: Encodable {
        var id: Int64
        var at: Date
        var actor: String
        var action: String
        var target: String
        var details: [String: JSONValue]
    }

    struct Page: Encodable {
        var entries: [EntryView]
        /// Pass as `before` to get the next (older) page; absent on the last page.
        var nextBefore: Int64?
    }

    func addRoutes(to group: RouterGroup<KilnRequestContext>) {
        group.get(use: list)
    }

    @Sendable func list(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let limit = try QueryParameter.integer(request, "limit", default: 100, in: 1...1000)
        // Up to 2^53 − 1, as the schema says: a cursor a JavaScript client can hold exactly.
        let before = try QueryParameter.optionalInteger(request, "before", in: 1...9_007_199_254_740_991)
        let entries = try await audit.list(limit: limit, before: before.map(Int64.init))
        let views = entries.map {
            EntryView(id: $0.id ?? 0, at: $0.at, actor: $0.actor, action: $0.action, target: $0.target, details: $0.details)
        }
        return try JSONBody.response(Page(entries: views, nextBefore: views.count == limit ? views.last?.id : nil))
    }
}

/// Strict parsing of query parameters: a malformed value is a 400, never silently ignored.
enum QueryParameter {
    static func optionalInteger(_ request: Request, _ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = request.formQuery[name[...]] else { return nil }
        guard let value = Int(String(text)), range.contains(value) else {
            throw KilnError.invalidArgument("query parameter '\(name)' must be an integer in \(range.lowerBound)...\(range.upperBound)",
                                            details: ["parameter": .string(name)])
        }
        return value
    }

    static func integer(_ request: Request, _ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        try optionalInteger(request, name, in: range) ?? value
    }
}
