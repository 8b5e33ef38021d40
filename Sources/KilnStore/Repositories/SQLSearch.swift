import KilnCore
import SQLKit

/// Translates search-filter comparisons into SQL. The one dialect-specific rule lives here:
/// MLflow's `LIKE` is case-sensitive, SQLite's is not, so `LIKE` becomes `GLOB` with the
/// pattern translated, and `ILIKE` becomes SQLite's `LIKE`.
enum SQLSearch {
    static func comparison(_ column: SQLQueryString, _ clause: SearchFilter.Clause, numeric: Bool) throws -> SQLQueryString {
        let subject = "\(clause.entity.rawValue) '\(clause.key.prefix(250))'"
        if numeric {
            guard case .number(let number) = clause.value else {
                throw KilnError.invalidArgument("\(subject) is numeric: compare it with a number, not a string")
            }
            switch clause.comparator {
            case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
                return column + " \(unsafeRaw: clause.comparator.rawValue) \(bind: number)"
            default:
                throw KilnError.invalidArgument("\(subject) is numeric: use =, !=, <, <=, > or >=")
            }
        }
        switch (clause.comparator, clause.value) {
        case (.equal, .string(let text)), (.notEqual, .string(let text)):
            return column + " \(unsafeRaw: clause.comparator.rawValue) \(bind: text)"
        case (.like, .string(let pattern)):
            return column + " GLOB \(bind: globPattern(fromLike: pattern))"
        case (.ilike, .string(let pattern)):
            return column + " LIKE \(bind: pattern)"
        case (.in, .list(let items)), (.notIn, .list(let items)):
            let binds: [any Encodable & Sendable] = items
            return column + " \(unsafeRaw: clause.comparator.rawValue) (\(binds: binds))"
        default:
            throw KilnError.invalidArgument("\(subject) is a string: use =, !=, LIKE, ILIKE or IN with quoted strings")
        }
    }

    /// A registry tag compared through a LEFT JOIN (`column` is NULL where the tag is absent).
    /// An absent tag fails every comparison but `!=`: the MLflow client lists registered models
    /// with `tag.`mlflow.prompt.is_prompt` != 'true'` and expects the untagged ones.
    static func tagComparison(_ column: SQLQueryString, _ clause: SearchFilter.Clause) throws -> SQLQueryString {
        let comparison = try comparison(column, clause, numeric: false)
        return clause.comparator == .notEqual ? "(" + column + " IS NULL OR " + comparison + ")" : comparison
    }

    /// `%` → `*`, `_` → `?`; GLOB's own special characters are matched literally.
    static func globPattern(fromLike pattern: String) -> String {
        var glob = ""
        for character in pattern {
            switch character {
            case "%": glob.append("*")
            case "_": glob.append("?")
            case "*", "?", "[": glob.append("[\(character)]")
            default: glob.append(character)
            }
        }
        return glob
    }

    static func direction(_ ascending: Bool) -> SQLQueryString {
        ascending ? " ASC" : " DESC"
    }

    /// Rows with no value sort last in either direction, as MLflow sorts them.
    static func orderTerm(_ column: SQLQueryString, ascending: Bool) -> SQLQueryString {
        column + " IS NULL, " + column + direction(ascending)
    }
}
