/// MLflow's search filter grammar (the subset Kiln supports): clauses joined by `AND`, each
/// `<entity>.<key> <comparator> <value>` — for example
/// `metrics.rmse < 0.5 AND params.optimizer = 'adam' AND tags."mlflow.runName" LIKE 'ctr-%'`.
/// Keys with dots or spaces are quoted with `"` or backticks; an identifier without an entity
/// prefix is an attribute (`status`, `run_name`, `name`, …). `IN ('a', 'b')` lists strings.
public struct SearchFilter: Sendable, Hashable {
    public enum Entity: String, Sendable, Hashable {
        case metric, param, tag, attribute
    }

    public enum Comparator: String, Sendable, Hashable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case like = "LIKE"
        case ilike = "ILIKE"
        case `in` = "IN"
        case notIn = "NOT IN"
    }

    public enum Value: Sendable, Hashable {
        case string(String)
        case number(Double)
        case list([String])
    }

    public struct Clause: Sendable, Hashable {
        public var entity: Entity
        public var key: String
        public var comparator: Comparator
        public var value: Value

        public init(entity: Entity, key: String, comparator: Comparator, value: Value) {
            self.entity = entity
            self.key = key
            self.comparator = comparator
            self.value = value
        }
    }

    public var clauses: [Clause]

    public init(clauses: [Clause] = []) {
        self.clauses = clauses
    }

    /// Parses `text`; an empty or blank filter matches everything.
    public init(parsing text: String) throws {
        var parser = Parser(tokens: try Tokenizer.tokens(of: text))
        clauses = try parser.clauses()
    }

    public static func entity(named prefix: String) -> Entity? {
        switch prefix.lowercased() {
        case "metric", "metrics": .metric
        case "param", "params", "parameter", "parameters": .param
        case "tag", "tags": .tag
        case "attribute", "attributes", "attr", "run": .attribute
        default: nil
        }
    }
}

/// One `order_by` entry: `metrics.rmse DESC`, `attributes.start_time`, `name ASC`.
public struct SearchOrder: Sendable, Hashable {
    public var entity: SearchFilter.Entity
    public var key: String
    public var ascending: Bool

    public init(entity: SearchFilter.Entity, key: String, ascending: Bool) {
        self.entity = entity
        self.key = key
        self.ascending = ascending
    }

    public init(parsing text: String) throws {
        var tokens = try Tokenizer.tokens(of: text)
        ascending = true
        if case .word(let word)? = tokens.last, ["ASC", "DESC"].contains(word.uppercased()) {
            ascending = word.uppercased() == "ASC"
            tokens.removeLast()
        }
        switch tokens.count == 1 ? tokens[0] : nil {
        case .identifier(let entity, let key)?:
            self.entity = entity
            self.key = key
        case .word(let key)?:
            self.entity = .attribute
            self.key = key
        default:
            throw KilnError.invalidArgument("invalid order_by clause '\(text.prefix(200))': expected '<entity>.<key> [ASC|DESC]'")
        }
    }
}

private enum Token: Hashable {
    case identifier(SearchFilter.Entity, String)
    case word(String)
    case string(String)
    case number(Double)
    case comparator(String)
    case open, close, comma
}

private enum Tokenizer {
    static func tokens(of text: String) throws -> [Token] {
        let characters = Array(text)
        var index = 0
        var tokens: [Token] = []

        func fail(_ message: String) -> KilnError {
            KilnError.invalidArgument("invalid filter '\(text.prefix(200))': \(message)")
        }

        func quoted(_ quote: Character) throws -> String {
            index += 1
            var value = ""
            while index < characters.count {
                let character = characters[index]
                if character == quote {
                    // A doubled quote inside a string stands for the quote itself.
                    if index + 1 < characters.count, characters[index + 1] == quote {
                        value.append(quote)
                        index += 2
                        continue
                    }
                    index += 1
                    return value
                }
                value.append(character)
                index += 1
            }
            throw fail("unterminated quote")
        }

        func isWordCharacter(_ character: Character) -> Bool {
            character.isLetter || character.isNumber || character == "_" || character == "-" || character == ":"
        }

        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace {
                index += 1
            } else if character == "(" {
                tokens.append(.open); index += 1
            } else if character == ")" {
                tokens.append(.close); index += 1
            } else if character == "," {
                tokens.append(.comma); index += 1
            } else if "<>=!".contains(character) {
                var op = String(character)
                index += 1
                if index < characters.count, characters[index] == "=" { op.append("="); index += 1 }
                guard ["=", "!=", "<", "<=", ">", ">="].contains(op) else { throw fail("unknown comparator '\(op)'") }
                tokens.append(.comparator(op))
            } else if character == "'" {
                tokens.append(.string(try quoted("'")))
            } else if character == "\"" || character == "`" {
                // A quoted identifier without an entity prefix (e.g. `"name"`) is an attribute.
                tokens.append(.identifier(.attribute, try quoted(character)))
            } else if character.isNumber || ((character == "-" || character == "." || character == "+")
                                                && index + 1 < characters.count && (characters[index + 1].isNumber || characters[index + 1] == ".")) {
                var literal = String(character)
                index += 1
                while index < characters.count, characters[index].isNumber || "eE.+-".contains(characters[index]) {
                    // A sign is part of the number only right after an exponent marker.
                    if "+-".contains(characters[index]), !"eE".contains(literal.last ?? " ") { break }
                    literal.append(characters[index]); index += 1
                }
                guard let number = Double(literal) else { throw fail("invalid number '\(literal)'") }
                tokens.append(.number(number))
            } else if isWordCharacter(character) {
                var word = ""
                while index < characters.count, isWordCharacter(characters[index]) {
                    word.append(characters[index]); index += 1
                }
                if index < characters.count, characters[index] == ".", let entity = SearchFilter.entity(named: word) {
                    index += 1
                    guard index < characters.count else { throw fail("missing key after '\(word).'") }
                    let next = characters[index]
                    if next == "\"" || next == "`" {
                        tokens.append(.identifier(entity, try quoted(next)))
                    } else {
                        // Unquoted keys run to the next space or comparator and may hold dots.
                        var key = ""
                        while index < characters.count, !characters[index].isWhitespace, !"<>=!(),'".contains(characters[index]) {
                            key.append(characters[index]); index += 1
                        }
                        guard !key.isEmpty else { throw fail("missing key after '\(word).'") }
                        tokens.append(.identifier(entity, key))
                    }
                } else {
                    tokens.append(.word(word))
                }
            } else {
                throw fail("unexpected character '\(character)'")
            }
        }
        return tokens
    }
}

private struct Parser {
    var tokens: [Token]
    var index = 0

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    mutating func next() -> Token? {
        guard index < tokens.count else { return nil }
        defer { index += 1 }
        return tokens[index]
    }

    func fail(_ message: String) -> KilnError {
        KilnError.invalidArgument("invalid filter: \(message)")
    }

    mutating func clauses() throws -> [SearchFilter.Clause] {
        var clauses: [SearchFilter.Clause] = []
        guard !tokens.isEmpty else { return [] }
        while true {
            clauses.append(try clause())
            guard let token = next() else { return clauses }
            guard case .word(let word) = token, word.uppercased() == "AND" else {
                throw fail("expected AND between clauses (OR is not supported)")
            }
        }
    }

    mutating func clause() throws -> SearchFilter.Clause {
        let entity: SearchFilter.Entity
        let key: String
        switch next() {
        case .identifier(let e, let k)?: (entity, key) = (e, k)
        case .word(let word)?: (entity, key) = (.attribute, word)
        default: throw fail("expected an identifier such as metrics.<key>, params.<key>, tags.<key> or an attribute")
        }
        let comparator: SearchFilter.Comparator
        switch next() {
        case .comparator(let op)?:
            comparator = SearchFilter.Comparator(rawValue: op)!
        case .word(let word)? where ["LIKE", "ILIKE", "IN"].contains(word.uppercased()):
            comparator = SearchFilter.Comparator(rawValue: word.uppercased())!
        case .word(let word)? where word.uppercased() == "NOT":
            guard case .word(let inWord)? = next(), inWord.uppercased() == "IN" else { throw fail("expected IN after NOT") }
            comparator = .notIn
        default:
            throw fail("expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN) after '\(key)'")
        }
        let value: SearchFilter.Value
        if comparator == .in || comparator == .notIn {
            guard next() == .open else { throw fail("expected '(' after IN") }
            var items: [String] = []
            while true {
                guard case .string(let item)? = next() else { throw fail("IN lists hold quoted strings") }
                items.append(item)
                let separator = next()
                if separator == .close { break }
                guard separator == .comma else { throw fail("expected ',' or ')' in IN list") }
            }
            value = .list(items)
        } else {
            switch next() {
            case .string(let text)?: value = .string(text)
            case .number(let number)?: value = .number(number)
            case .identifier(.attribute, let text)?: value = .string(text)  // a double-quoted string value
            default: throw fail("expected a value after '\(key) \(comparator.rawValue)'")
            }
        }
        return SearchFilter.Clause(entity: entity, key: key, comparator: comparator, value: value)
    }
}
