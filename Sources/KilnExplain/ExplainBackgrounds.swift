import KilnCore
import KilnML
import KilnServing

extension ExplainService {
    struct BackgroundSource {
        var origin: String
        var summary: String
    }

    /// The background KernelSHAP and permutation integrate over: the caller's rows (as sent,
    /// unless a summary is asked for), else the version's reference sample summarised
    /// (k-means by default) to `background_size` rows.
    func background(_ loaded: LoadedVersion, options: ExplainOptions, columns: Int) throws -> (KernelSHAP.Background, BackgroundSource) {
        if let rows = options.background {
            let values = try Self.flatten(rows, columns: columns)
            let kind = options.backgroundSummary ?? .all
            if kind == .all {
                return (KernelSHAP.Background(values: values, rows: rows.count, columns: columns, weights: options.backgroundWeights),
                        BackgroundSource(origin: "request", summary: "all"))
            }
            return (Self.summarise(values, rows: rows.count, columns: columns, kind: kind, options: options),
                    BackgroundSource(origin: "request", summary: kind.rawValue))
        }
        guard let reference = loaded.reference else {
            throw KilnError.invalidArgument(
                "\(options.method.rawValue) needs background rows: send parameters.background, or ship reference.json with the model version")
        }
        let kind = options.backgroundSummary ?? .kmeans
        let key = "\(loaded.name)/\(loaded.version)/\(kind.rawValue)/\(options.backgroundSize)/\(options.seed)"
        if let cached = backgrounds[key] { return (cached, BackgroundSource(origin: "reference", summary: kind.rawValue)) }
        let summary = Self.summarise(reference.values, rows: reference.rows, columns: reference.columns, kind: kind, options: options)
        backgrounds.store(summary, key: key)
        return (summary, BackgroundSource(origin: "reference", summary: kind.rawValue))
    }

    /// LIME's training statistics: the caller's background rows, else the reference sample.
    func discretizer(_ loaded: LoadedVersion, options: ExplainOptions, names: [String]) throws -> (QuartileDiscretizer, String) {
        if let rows = options.background {
            return (QuartileDiscretizer(values: try Self.flatten(rows, columns: names.count), columns: names.count, names: names), "request")
        }
        guard let reference = loaded.reference else {
            throw KilnError.invalidArgument("lime needs training statistics: send parameters.background rows, or ship reference.json with the model version")
        }
        let key = "\(loaded.name)/\(loaded.version)"
        if let cached = discretizers[key] { return (cached, "reference") }
        let discretizer = QuartileDiscretizer(values: reference.values, columns: reference.columns, names: names)
        discretizers.store(discretizer, key: key)
        return (discretizer, "reference")
    }

    static func summarise(_ values: [Float], rows: Int, columns: Int, kind: ExplainOptions.BackgroundSummaryKind,
                          options: ExplainOptions) -> KernelSHAP.Background {
        switch kind {
        case .all: KernelSHAP.Background(values: values, rows: rows, columns: columns)
        case .sample: BackgroundSummary.sample(values, rows: rows, columns: columns, count: options.backgroundSize, seed: options.seed)
        case .kmeans: BackgroundSummary.kmeans(values, rows: rows, columns: columns, count: options.backgroundSize, seed: options.seed)
        }
    }

    static func flatten(_ rows: [[Double]], columns: Int) throws -> [Float] {
        guard rows.allSatisfy({ $0.count == columns }) else {
            throw KilnError.invalidArgument("parameters.background: every row needs \(columns) values (the model's features)")
        }
        return rows.flatMap { $0.map(Float.init) }
    }
}
