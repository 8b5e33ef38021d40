import Foundation
import HTTPTypes
import Hummingbird
import KilnCore
import KilnHTTPKit
import KilnServing
import NIOCore

/// The Open Inference Protocol (KServe V2) REST surface, with Triton's repository extension.
struct InferenceController {
    let registry: ModelRegistry
    let inference: InferenceService
    var manager: ModelManager { registry.manager }
    let maxBodyBytes: Int
    let errorStatuses: ErrorStatusTable

    func addRoutes(to router: Router<KilnRequestContext>, adminOnly: RequireRoleMiddleware) {
        let v2 = router.group("v2").add(middleware: ErrorMiddleware(shape: .openInference, statuses: errorStatuses))
        v2.get(use: serverMetadata)
        v2.get("health/live", use: live)
        v2.get("health/ready", use: live)
        for prefix in ["models/{model}", "models/{model}/versions/{version}"] {
            v2.get(RouterPath(prefix), use: modelMetadata)
            v2.get(RouterPath(prefix + "/ready"), use: modelReady)
            v2.get(RouterPath(prefix + "/config"), use: modelConfig)
            v2.post(RouterPath(prefix + "/infer"), use: infer)
        }
        v2.get("models/stats", use: statistics)
        v2.get("models/{model}/stats", use: statistics)
        v2.get("models/{model}/versions/{version}/stats", use: statistics)
        v2.post("repository/index", use: repositoryIndex)
        let repository = v2.group("repository/models").add(middleware: adminOnly)
        repository.post("{model}/load", use: load)
        repository.post("{model}/unload", use: unload)
    }

    struct ServerMetadata: Encodable {
        var name = "kiln"
        var version = KilnVersion.current
        var extensions = ["binary_tensor_data", "model_repository", "statistics"]
    }

    @Sendable func serverMetadata(_ request: Request, context: KilnRequestContext) throws -> Response {
        try JSONBody.response(ServerMetadata())
    }

    /// Live and ready: the server answers and its store was reachable at start.
    @Sendable func live(_ request: Request, context: KilnRequestContext) -> Response {
        Response(status: .ok)
    }

    struct TensorMetadata: Encodable {
        var name: String
        var datatype: String
        var shape: [Int]
    }

    struct ModelMetadata: Encodable {
        var name: String
        var versions: [String]
        var platform: String
        var inputs: [TensorMetadata]
        var outputs: [TensorMetadata]
    }

    @Sendable func modelMetadata(_ request: Request, context: KilnRequestContext) throws -> Response {
        let loaded = try resolve(context)
        let versions = manager.loadedVersions().filter { $0.name == loaded.name }.map { String($0.version) }
        let config = loaded.config
        return try JSONBody.response(ModelMetadata(
            name: loaded.name, versions: versions, platform: config.platform.rawValue,
            inputs: config.inputs.map { TensorMetadata(name: $0.name, datatype: $0.datatype.rawValue, shape: $0.shape) },
            outputs: config.outputs.map { TensorMetadata(name: $0.name, datatype: $0.datatype.rawValue, shape: $0.shape) }))
    }

    @Sendable func modelReady(_ request: Request, context: KilnRequestContext) throws -> Response {
        do {
            _ = try resolve(context)
            return Response(status: .ok)
        } catch let error as KilnError where error.code == .notFound || error.code == .unavailable {
            return Response(status: .badRequest)
        }
    }

    /// Triton's model configuration shape, which performance tools read.
    @Sendable func modelConfig(_ request: Request, context: KilnRequestContext) throws -> Response {
        let loaded = try resolve(context)
        let config = loaded.config
        func tensors(_ specs: [ModelConfig.TensorSpec]) -> JSONValue {
            .array(specs.map { spec in
                let dims = config.batchLimit > 0 ? Array(spec.shape.dropFirst()) : spec.shape
                return .object(["name": .string(spec.name), "data_type": .string("TYPE_\(spec.datatype == .bytes ? "STRING" : spec.datatype.rawValue)"),
                                "dims": .array(dims.map { .int($0) })])
            })
        }
        var object: [String: JSONValue] = [
            "name": .string(loaded.name), "platform": .string(config.platform.rawValue),
            "max_batch_size": .int(config.batchLimit), "input": tensors(config.inputs), "output": tensors(config.outputs),
            "instance_group": .array([.object(["count": .int(config.instances), "kind": "KIND_CPU"])]),
        ]
        if let batching = config.dynamicBatching {
            object["dynamic_batching"] = .object([
                "max_queue_delay_microseconds": .int(batching.maxQueueDelayUs ?? 0),
                "preferred_batch_size": .array((batching.preferredBatchSizes ?? []).map { .int($0) }),
            ])
        }
        if let labels = config.labels { object["labels"] = .array(labels.map { .string($0) }) }
        return try JSONBody.response(JSONValue.object(object))
    }

    @Sendable func infer(_ request: Request, context: KilnRequestContext) async throws -> Response {
        let reference = try ModelReference(context)
        let loaded = try await registry.resolveLoading(reference.model, version: reference.version)
        let body = try await InferenceRequestBody.read(request, limit: maxBodyBytes)
        var timeout: Duration?
        if let text = request.headers[.kilnTimeout] {
            guard let milliseconds = Int(text), milliseconds >= 0 else {
                throw KilnError.invalidArgument("Kiln-Timeout-Ms must be a non-negative integer (milliseconds)")
            }
            timeout = .milliseconds(milliseconds)
        }
        let decoded = try body.bytes.withUnsafeReadableBytes { try inference.decoder.decode(body: $0, headerLength: body.headerLength) }
        let result = try await inference.infer(loaded, decoded, timeout: timeout)
        // The header and each binary output are written once, into the buffer that is sent.
        let header = result.encodedHeader()
        let binaries = result.binaryOutputs
        var buffer = ByteBuffer()
        buffer.reserveCapacity(header.utf8.count + binaries.reduce(0) { $0 + $1.count })
        let headerLength = buffer.writeString(header)
        for bytes in binaries { buffer.writeBytes(bytes) }
        var headers: HTTPFields = [:]
        if result.hasBinaryOutputs {
            headers[.contentType] = "application/octet-stream"
            headers[.inferenceHeaderContentLength] = String(headerLength)
        } else {
            headers[.contentType] = "application/json"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// Triton's statistics extension: counts and nanosecond totals per model version.
    @Sendable func statistics(_ request: Request, context: KilnRequestContext) throws -> Response {
        var versions = manager.loadedVersions()
        if context.parameters.get("model") != nil {
            let selected = try resolve(context)
            let onlyThisVersion = try ModelReference(context).namesAVersion
            versions = versions.filter { $0.name == selected.name && (!onlyThisVersion || $0.version == selected.version) }
        }
        func duration(_ value: ModelStatistics.Duration) -> JSONValue {
            .object(["count": .int(value.count), "ns": .number(Double(value.nanoseconds))])
        }
        let zero = duration(.init())
        let stats: [JSONValue] = versions.map { loaded in
            let statistics = loaded.scheduler.statistics
            return .object([
                "name": .string(loaded.name), "version": .string(String(loaded.version)),
                "last_inference": .number(Double(statistics.lastInference)),
                "inference_count": .int(statistics.inferenceCount), "execution_count": .int(statistics.executionCount),
                "inference_stats": .object([
                    "success": duration(statistics.success), "fail": duration(statistics.fail), "queue": duration(statistics.queue),
                    "compute_input": zero, "compute_infer": duration(statistics.computeInfer), "compute_output": zero,
                    "cache_hit": zero, "cache_miss": zero,
                ]),
                "batch_stats": .array(statistics.batchSizes.keys.sorted().map { size in
                    .object(["batch_size": .int(size), "compute_input": zero,
                             "compute_infer": duration(statistics.batchSizes[size]!.computeInfer), "compute_output": zero])
                }),
            ])
        }
        return try JSONBody.response(JSONValue.object(["model_stats": .array(stats)]))
    }

    struct IndexEntry: Encodable {
        var name: String
        var version: String?
        var state: String
        var reason: String
    }

    @Sendable func repositoryIndex(_ request: Request, context: KilnRequestContext) throws -> Response {
        let entries = manager.index().map {
            IndexEntry(name: $0.name, version: $0.version.map(String.init), state: $0.state.rawValue, reason: $0.reason)
        }
        return try JSONBody.response(entries)
    }

    @Sendable func load(_ request: Request, context: KilnRequestContext) async throws -> Response {
        try await manager.load(try context.parameters.require("model"))
        return Response(status: .ok)
    }

    @Sendable func unload(_ request: Request, context: KilnRequestContext) async throws -> Response {
        try await manager.unload(try context.parameters.require("model"))
        return Response(status: .ok)
    }

    private func resolve(_ context: KilnRequestContext) throws -> LoadedVersion {
        let reference = try ModelReference(context)
        return try registry.resolve(reference.model, version: reference.version)
    }
}

extension HTTPField.Name {
    static let inferenceHeaderContentLength = Self("Inference-Header-Content-Length")!
    /// A per-request deadline in milliseconds; past it a queued request is answered 504.
    static let kilnTimeout = Self("Kiln-Timeout-Ms")!
}
