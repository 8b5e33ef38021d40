import Foundation
import KilnCore
import KilnML
import KilnServing
import Synchronization

/// Explanations of a served tabular model's predictions: TreeSHAP (XGBoost), KernelSHAP, LIME
/// and permutation, each row of a V2 request explained on its own. The maths is `KilnML`'s;
/// this joins it to the model (rows evaluated through the scheduler), its stored reference
/// sample and the caller's options. REST, the `explain` job and the apps all call it.
public final class ExplainService: Sendable {
    /// Work above this many model rows runs as a job unless the caller says `job: false`.
    public let jobThresholdRows: Int
    /// No explanation evaluates more rows than this (a job included).
    public let maxRows: Int
    public static let maxInstances = 256
    public static let maxImages = 16

    /// Summarised backgrounds and fitted discretizers of stored reference samples, by model
    /// version and options: k-means over a reference is worth doing once.
    let backgrounds = BoundedCache<KernelSHAP.Background>()
    let discretizers = BoundedCache<QuartileDiscretizer>()
    /// nil entries too: a model the tree evaluator cannot reproduce is not parsed again.
    let ensembles = BoundedCache<TreeEnsemble?>()

    public init(jobThresholdRows: Int = 2_000_000, maxRows: Int = 50_000_000) {
        self.jobThresholdRows = jobThresholdRows
        self.maxRows = maxRows
    }

    /// The request's rows, checked against the model's signature and the method.
    public struct Instances: Sendable {
        public let values: [Float]
        public let count: Int
        public let columns: Int
    }

    public func instances(_ loaded: LoadedVersion, _ request: InferenceRequest, options: ExplainOptions) throws -> Instances {
        guard ExplainMethod.supported(by: loaded.config).contains(options.method),
              let columns = loaded.config.tabularFeatureCount ?? loaded.config.imageClassifierShape?.reduce(1, *) else {
            throw KilnError(.explanationUnsupported,
                            "model '\(loaded.name)' cannot be explained with \(options.method.rawValue); it supports \(ExplainMethod.supported(by: loaded.config).map(\.rawValue))",
                            details: ["supported": .array(ExplainMethod.supported(by: loaded.config).map { .string($0.rawValue) })])
        }
        let input = try InferenceService.orderedInputs(request, config: loaded.config)[0]
        let count = input.shape[0]
        let limit = options.method == .gradCam ? Self.maxImages : Self.maxInstances
        guard (1...limit).contains(count) else {
            throw KilnError.invalidArgument("explain takes 1...\(limit) \(options.method == .gradCam ? "images" : "rows"), got \(count)")
        }
        let values = input.float32Values()
        guard values.allSatisfy(\.isFinite) else { throw KilnError.invalidArgument("explain needs finite feature values") }
        return Instances(values: values, count: count, columns: columns)
    }

    /// How many model rows the explanation evaluates (decides sync vs job), refused above `maxRows`.
    public func checkedRows(_ loaded: LoadedVersion, instances: Int, options: ExplainOptions) throws -> Int {
        let planned = plannedRows(loaded, instances: instances, options: options)
        guard planned <= maxRows else {
            throw KilnError.invalidArgument("this explanation would evaluate \(planned) rows, more than \(maxRows); lower samples, background_size or the rows sent")
        }
        return planned
    }

    func plannedRows(_ loaded: LoadedVersion, instances: Int, options: ExplainOptions) -> Int {
        let columns = loaded.config.tabularFeatureCount ?? 1
        let background = options.background?.count ?? min(options.backgroundSize, loaded.reference?.rows ?? options.backgroundSize)
        let perInstance = switch options.method {
        case .treeShap: 1
        case .kernelShap: 1 + background * (1 + (options.samples ?? (2 * columns + 2048)))
        case .lime: options.samples ?? 5000
        case .permutation: 1 + columns * background
        case .gradCam: 1
        }
        return instances * perInstance
    }

    public func explain(_ loaded: LoadedVersion, _ request: InferenceRequest, options: ExplainOptions,
                        progress: (@Sendable (Double) async -> Void)? = nil) async throws -> ExplainAnswer {
        let instances = try instances(loaded, request, options: options)
        if options.method == .gradCam { return try await gradCAM(loaded, instances: instances, options: options) }
        _ = try checkedRows(loaded, instances: instances.count, options: options)
        let names = featureNames(loaded, columns: instances.columns)
        let rows = ModelRows(loaded: loaded, columns: instances.columns)
        let predictions = try await rows.outputs(instances.values, count: instances.count)
        let target = try target(loaded, options: options, predictions: predictions.values, width: predictions.outputColumns)
        let output = ExplainAnswer.Output(
            name: loaded.config.outputs[0].name, index: target,
            label: predictions.outputColumns > 1 ? loaded.config.labels?[safe: target] : nil,
            space: options.method == .treeShap ? "margin" : "output")
        var answer = ExplainAnswer(modelName: loaded.name, modelVersion: String(loaded.version), method: options.method.rawValue,
                                   parameters: .init(), output: output, featureNames: names, explanations: [])
        if options.method == .treeShap {
            answer.explanations = try await treeSHAP(loaded, instances: instances, names: names)
            return answer
        }
        for index in 0..<instances.count {
            let instance = Array(instances.values[(index * instances.columns)..<((index + 1) * instances.columns)])
            var report: (@Sendable (Double) async -> Void)?
            if let progress {
                let count = Double(instances.count)
                report = { @Sendable fraction in await progress((Double(index) + fraction) / count) }
            }
            let (explanation, parameters) = try await explainOne(
                instance, loaded: loaded, options: options, target: target, names: names, rows: rows, progress: report)
            answer.explanations.append(explanation)
            answer.parameters = parameters
        }
        return answer
    }

    private func explainOne(
        _ instance: [Float], loaded: LoadedVersion, options: ExplainOptions, target: Int, names: [String], rows: ModelRows,
        progress: (@Sendable (Double) async -> Void)?
    ) async throws -> (ExplainAnswer.Explanation, ExplainAnswer.Parameters) {
        switch options.method {
        case .treeShap, .gradCam:
            preconditionFailure("TreeSHAP and Grad-CAM explain all rows in their own calls")
        case .kernelShap:
            let (background, source) = try background(loaded, options: options, columns: instance.count)
            let plan = KernelSHAP(instance: instance, background: background, samples: options.samples, seed: options.seed)
            var evaluator = "model"
            var outputs: [Double]
            if options.treeEvaluator, target == 0, let trees = try await coalitionOutputs(plan, loaded: loaded, rows: rows) {
                outputs = trees
                evaluator = "trees"
            } else {
                outputs = try await rows.column(target, total: plan.rowCount, progress: progress) { plan.rows($0) }
            }
            let result = plan.explain(outputs)
            let explanation = ExplainAnswer.Explanation(
                prediction: result.prediction, baseValue: result.baseValue, values: result.values,
                top: Self.ranked(result.values, names: names), additivityError: result.additivityError, fitError: result.fitError)
            return (explanation, .init(samples: result.samples, seed: options.seed, background: source.origin,
                                       backgroundSummary: source.summary, backgroundRows: background.rows, evaluator: evaluator))
        case .lime:
            let (discretizer, origin) = try discretizer(loaded, options: options, names: names)
            let plan = LIMETabular(discretizer: discretizer, instance: instance, samples: options.samples ?? 5000, seed: options.seed)
            let outputs = try await rows.column(target, total: plan.sampleCount, progress: progress) { range in
                Array(plan.evaluationRows[(range.lowerBound * instance.count)..<(range.upperBound * instance.count)])
            }
            let result = plan.explain(outputs, features: options.features, selection: options.featureSelection)
            let top = result.features.map { ExplainAnswer.Weight(feature: names[$0.feature], index: $0.feature, condition: $0.condition, weight: $0.weight) }
            let explanation = ExplainAnswer.Explanation(
                prediction: result.prediction, baseValue: result.intercept, top: top, fitError: 1 - result.r2,
                r2: result.r2, localPrediction: result.localPrediction)
            return (explanation, .init(samples: plan.sampleCount, seed: options.seed, background: origin, numFeatures: options.features,
                                       featureSelection: options.featureSelection.rawValue, kernelWidth: result.kernelWidth))
        case .permutation:
            let (background, source) = try background(loaded, options: options, columns: instance.count)
            let plan = PermutationEffects(instance: instance, background: background)
            let outputs = try await rows.column(target, total: plan.rowCount, progress: progress) { plan.rows($0) }
            let values = plan.effects(outputs)
            let explanation = ExplainAnswer.Explanation(prediction: outputs[0], baseValue: outputs[0], values: values,
                                                        top: Self.ranked(values, names: names))
            return (explanation, .init(seed: options.seed, background: source.origin, backgroundSummary: source.summary,
                                       backgroundRows: background.rows))
        }
    }

    /// XGBoost's exact TreeSHAP (`pred_contribs`), all rows in one call; values in margin units.
    private func treeSHAP(_ loaded: LoadedVersion, instances: Instances, names: [String]) async throws -> [ExplainAnswer.Explanation] {
        let (count, columns, values) = (instances.count, instances.columns, instances.values)
        let (contributions, margins) = try await loaded.scheduler.perform((any TreeContributions).self, rows: count) { model in
            (try model.contributions(values, rows: count, columns: columns), try model.margins(values, rows: count, columns: columns))
        }
        guard contributions.count == count * (columns + 1), margins.count == count else {
            throw KilnError(.explanationUnsupported, "tree_shap explains single-output tree models; this one has several outputs (use kernel_shap)")
        }
        return (0..<count).map { row in
            let slice = contributions[(row * (columns + 1))..<((row + 1) * (columns + 1))].map(Double.init)
            let phi = Array(slice.dropLast()), base = slice.last!
            let prediction = Double(margins[row])
            return ExplainAnswer.Explanation(prediction: prediction, baseValue: base, values: phi, top: Self.ranked(phi, names: names),
                                             additivityError: abs(base + phi.reduce(0, +) - prediction))
        }
    }

    /// KernelSHAP's outputs from the model's own trees (`TreeEnsemble`), when it is an XGBoost
    /// JSON model the evaluator reproduces: the instance and background rows are evaluated by
    /// XGBoost too, and the trees are used only if they agree to 1e-5 — otherwise nil, and the
    /// caller evaluates every row through the runtime.
    func coalitionOutputs(_ plan: KernelSHAP, loaded: LoadedVersion, rows: ModelRows) async throws -> [Double]? {
        guard loaded.config.platform == .xgboost, let ensemble = try await treeEnsemble(loaded),
              ensemble.featureCount == plan.background.columns else { return nil }
        let checked = 1 + plan.background.rows
        let reference = try await rows.column(0, total: checked) { plan.rows($0) }
        let agrees = (0..<checked).allSatisfy { row in abs(ensemble.predict(plan.rows(row..<(row + 1))[...]) - reference[row]) <= 1e-5 }
        guard agrees else { return nil }
        // The trees in as many parts as the model has instances, each on its compute threads.
        let parts = max(1, min(loaded.config.instances, ensemble.treeCount))
        let size = (ensemble.treeCount + parts - 1) / parts
        let ranges = stride(from: 0, to: ensemble.treeCount, by: max(size, 1)).map { $0..<min(ensemble.treeCount, $0 + size) }
        let pieces = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, range) in ranges.enumerated() {
                group.addTask {
                    (index, try await loaded.scheduler.perform((any ModelRuntime).self, rows: plan.sampleCount * plan.background.rows / ranges.count) { _ in
                        ensemble.coalitionMargins(plan, trees: range)
                    })
                }
            }
            var pieces = [[Float]](repeating: [], count: ranges.count)
            for try await (index, piece) in group { pieces[index] = piece }
            return pieces
        }
        return reference + ensemble.outputs(margins: pieces)
    }

    func treeEnsemble(_ loaded: LoadedVersion) async throws -> TreeEnsemble? {
        let key = "\(loaded.name)/\(loaded.version)"
        if let cached = ensembles[key] { return cached }
        guard let file = try await loaded.scheduler.perform((any TreeModelFile).self, { $0.treeModelJSON }),
              let data = try? Data(contentsOf: file) else { return nil }
        let ensemble = TreeEnsemble(xgboostJSON: data)
        ensembles.store(ensemble, key: key)
        return ensemble
    }

    static func ranked(_ values: [Double], names: [String]) -> [ExplainAnswer.Weight] {
        values.indices.sorted { abs(values[$0]) > abs(values[$1]) }.map {
            ExplainAnswer.Weight(feature: names[$0], index: $0, weight: values[$0])
        }
    }

    /// Names from the reference sample, else the config's `metadata.features`, else `x0…`.
    func featureNames(_ loaded: LoadedVersion, columns: Int) -> [String] {
        if let names = loaded.reference?.featureNames { return names }
        if case .array(let values)? = loaded.config.metadata?["features"], values.count == columns {
            let names = values.compactMap { value -> String? in if case .string(let name) = value { return name }; return nil }
            if names.count == columns { return names }
        }
        return (0..<columns).map { "x\($0)" }
    }

    /// The output column explained: `target` (index or label), else the only column, else the
    /// class the model predicts for the first row.
    func target(_ loaded: LoadedVersion, options: ExplainOptions, predictions: [Float], width: Int) throws -> Int {
        switch options.target {
        case .number(let number)?:
            guard number.rounded() == number, number >= 0, Int(number) < width else {
                throw KilnError.invalidArgument("parameters.target must be an output column in 0..<\(width)")
            }
            return Int(number)
        case .string(let label)?:
            guard width > 1, let index = loaded.config.labels?.firstIndex(of: label), index < width else {
                throw KilnError.invalidArgument("parameters.target '\(label.prefix(64))' is not one of the model's output labels")
            }
            return index
        case nil:
            guard width > 1 else { return 0 }
            let first = predictions.prefix(width)
            return first.indices.max { first[$0] < first[$1] } ?? 0
        default:
            throw KilnError.invalidArgument("parameters.target must be a column index or a label")
        }
    }
}

/// A cache by string key, emptied when it reaches `limit` entries: a long-running server sees many
/// model versions and option sets, and a recomputation is cheaper than unbounded memory.
final class BoundedCache<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])
    let limit: Int

    init(limit: Int = 64) {
        self.limit = limit
    }

    subscript(key: String) -> Value? { entries.withLock { $0[key] } }

    func store(_ value: Value, key: String) {
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll() }
            entries[key] = .some(value)  // (a nil Value is stored, not a removal)
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
