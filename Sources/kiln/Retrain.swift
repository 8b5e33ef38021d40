import ArgumentParser
import AsyncHTTPClient
import Foundation
import KilnCore
import NIOCore

/// `kiln retrain MODEL`: asks a running server to retrain a model from its reviews
/// (`POST /v1/retraining`), follows the job and prints the champion/challenger figures and the
/// decision. A client of the HTTP API rather than a second process on the store, so it works the
/// same against one node or several, and the server's workers do the training.
struct Retrain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Retrain a model from its reviews on a running server, wait for the decision and print it.",
        discussion: "Exit status: 0 when the retraining ran (promoted or not; the decision is printed), 1 when it failed or was refused.")

    @Argument(help: "The model to retrain; its app must register a trainer for it (a model without one is refused with the list of those that have one).") var model: String
    @Option(help: "The server's base URL.") var server = "http://127.0.0.1:8080"
    @Option(help: "An admin API key (default: the KILN_API_KEY environment variable).") var apiKey: String?
    @Option(help: "The alias whose version is retrained and that a promotion moves (default production).") var alias: String?
    @Option(help: "Share of the reviewed cases held out for evaluation (default 0.3).") var evaluationFraction: Double?
    @Option(help: "Training epochs (default: the model's trainer's).") var epochs: Int?
    @Option(help: "Learning rate (default: the model's trainer's).") var learningRate: Double?
    @Option(help: "Seed of the training run.") var seed: UInt64?
    @Option(help: "Smallest improvement of the metric on the held-out reviews that promotes (default 0.02).") var minImprovement: Double?
    @Option(help: "Fewest held-out reviewed cases that allow a promotion (default 20).") var minEvaluationCases: Int?
    @Option(help: "Largest drop of the metric on the original held-out data that still promotes (default 0.02).") var maxRegression: Double?
    @Flag(inversion: .prefixedNo, help: "Promote only when the improvement's 95% interval lies above 0 (default on).") var requireSignificant: Bool?
    @Flag(name: .customLong("no-promote"), help: "Evaluate and register the candidate, never move the alias.") var noPromote = false
    @Flag(help: "Print the job id and return without waiting.") var detach = false

    func run() async throws {
        guard let key = apiKey ?? ProcessInfo.processInfo.environment["KILN_API_KEY"], !key.isEmpty else {
            throw ValidationError("an admin key is needed: --api-key KEY or KILN_API_KEY")
        }
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let submitted: Status = try await call(client, "POST", "\(base)/v1/retraining", key: key, body: requestBody(), expect: 202)
            print("retraining \(submitted.id) queued for \(model)")
            if !detach {
                let finished = try await follow(client, "\(base)/v1/retraining/\(submitted.id)", key: key)
                report(finished)
                if finished.state != "succeeded" { throw ExitCode.failure }
            }
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func requestBody() throws -> JSONValue {
        var body: [String: JSONValue] = ["model": .string(model), "promote": .bool(!noPromote)]
        if let alias { body["alias"] = .string(alias) }
        if let evaluationFraction { body["evaluation_fraction"] = .number(evaluationFraction) }
        var options: [String: JSONValue] = [:]
        if let epochs { options["epochs"] = .int(epochs) }
        if let learningRate { options["learning_rate"] = .number(learningRate) }
        if let seed { options["seed"] = .int(Int(seed)) }
        if !options.isEmpty { body["options"] = .object(options) }
        var policy: [String: JSONValue] = [:]
        if let minImprovement { policy["min_improvement"] = .number(minImprovement) }
        if let minEvaluationCases { policy["min_evaluation_cases"] = .int(minEvaluationCases) }
        if let maxRegression { policy["max_regression"] = .number(maxRegression) }
        if let requireSignificant { policy["require_significant"] = .bool(requireSignificant) }
        if !policy.isEmpty { body["policy"] = .object(policy) }
        return .object(body)
    }

    /// The job until it ends, printing each new progress message.
    func follow(_ client: HTTPClient, _ url: String, key: String) async throws -> Status {
        var last: String?
        while true {
            let status: Status = try await call(client, "GET", url, key: key, body: nil, expect: 200)
            if let message = status.message, message != last {
                print(String(format: "  %3.0f%%  ", status.progress * 100) + message)
                last = message
            }
            if ["succeeded", "failed", "cancelled"].contains(status.state) { return status }
            try await Task.sleep(for: .seconds(1))
        }
    }

    func report(_ status: Status) {
        guard status.state == "succeeded", let result = status.result else {
            print("retraining \(status.state): \(status.error.map { "\($0.code): \($0.message)" } ?? "no result")")
            return
        }
        for (part, block) in [("held-out reviews", result.evaluation.feedback), ("original held-out", result.evaluation.original)] {
            guard let block else { continue }
            func show(_ estimate: Status.Estimate) -> String {
                String(format: "%.4f [%.4f, %.4f]", estimate.value, estimate.ci95.first ?? .nan, estimate.ci95.last ?? .nan)
            }
            print("\(part) (\(block.cases) cases, \(block.metric)): serving \(show(block.serving))  candidate \(show(block.candidate))  difference \(show(block.difference))")
        }
        print(result.promoted ? "version \(result.candidateVersion) promoted to '\(result.alias)'" : "version \(result.candidateVersion) registered, not promoted")
        for reason in result.decision.reasons { print("  because \(reason)") }
    }

    func call<Answer: Decodable>(_ client: HTTPClient, _ method: String, _ url: String, key: String, body: JSONValue?, expect: Int) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.jsonBytes))
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(30))
        } catch {
            FileHandle.standardError.write(Data("kiln retrain: cannot reach \(server): \(error)\n".utf8))
            throw ExitCode.failure
        }
        let bytes = Data(buffer: try await response.body.collect(upTo: 16 << 20))
        guard Int(response.status.code) == expect else {
            let problem = (try? JSONDecoder().decode(ErrorBody.self, from: bytes))?.error
            let reason = problem.map { problem in
                "\(problem.code): \(problem.message)" + (problem.details.map { " " + String(decoding: $0.jsonBytes, as: UTF8.self) } ?? "")
            } ?? String(decoding: bytes.prefix(500), as: UTF8.self)
            FileHandle.standardError.write(Data("kiln retrain: \(method) \(url) answered \(response.status.code) \(reason)\n".utf8))
            throw ExitCode.failure
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Answer.self, from: bytes)
    }

    struct Problem: Decodable {
        var code: String
        var message: String
        var details: JSONValue?
    }

    /// Kiln's error shape: `{"error": {"code", "message", …}}`.
    struct ErrorBody: Decodable {
        var error: Problem
    }

    /// The parts of `GET /v1/retraining/{id}` this command prints.
    struct Status: Decodable {
        struct Estimate: Decodable {
            var value: Double
            var ci95: [Double]
        }
        struct Comparison: Decodable {
            var metric: String
            var cases: Int
            var serving: Estimate
            var candidate: Estimate
            var difference: Estimate
        }
        struct Evaluation: Decodable {
            var feedback: Comparison?
            var original: Comparison?
        }
        struct Decision: Decodable {
            var reasons: [String]
        }
        struct Result: Decodable {
            var candidateVersion: Int
            var promoted: Bool
            var alias: String
            var evaluation: Evaluation
            var decision: Decision
        }
        var id: String
        var state: String
        var progress: Double
        var message: String?
        var result: Result?
        var error: Problem?
    }
}
