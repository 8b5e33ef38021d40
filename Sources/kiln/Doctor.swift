import ArgumentParser
import Foundation
import KilnCore
import KilnServing
import Torch

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the engines: libtorch version, the BLAS in use, thread settings and a matmul speed figure.")

    @Option(help: "libtorch intra-op threads to test with (default: the number of cores).") var engineThreads: Int?
    @Option(help: "OpenBLAS threads (default 1).") var openblasThreads: Int = 1

    func run() async throws {
        let threads = EngineThreads(intraOp: engineThreads ?? ProcessInfo.processInfo.activeProcessorCount, openBLAS: openblasThreads)
        let factory = RuntimeFactory(threads: threads)
        print("kiln            \(KilnVersion.current)")
        print("cores           \(ProcessInfo.processInfo.activeProcessorCount)")
        print("xgboost         \((try? factory.xgboostLibrary().version) ?? "NOT AVAILABLE")")
        let torch: TorchRuntime
        do {
            torch = try factory.torchRuntime()
        } catch let error as KilnError {
            print("libtorch        NOT AVAILABLE: \(error.message)")
            throw ExitCode.failure
        }
        print("libtorch        \(torch.version) (plugin \(torch.libraryPath))")
        print("blas            \(Self.loadedBLAS().joined(separator: ", "))")
        print("threads         libtorch intra-op \(torch.threads) (also XGBoost's), OPENBLAS_NUM_THREADS=\(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "unset")")
        let gflops = torch.matmulGFLOPS(size: 512, iterations: 20)
        print(String(format: "matmul 512x512  %.1f GFLOP/s (FP32)", gflops))
        if !Self.loadedBLAS().contains(where: { $0.contains("openblas") }) {
            print("warning: libtorch is not using OpenBLAS; install libopenblas0-pthread (reference BLAS is ~30x slower)")
        }
    }

    /// The BLAS libraries mapped into this process, read from /proc/self/maps.
    static func loadedBLAS() -> [String] {
        // /proc files report size 0, so read to the end rather than by size.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() else { return ["unknown"] }
        let maps = String(decoding: data, as: UTF8.self)
        let paths = Set(maps.split(separator: "\n").compactMap { line -> String? in
            guard let path = line.split(separator: " ", omittingEmptySubsequences: true).last, path.hasPrefix("/") else { return nil }
            let file = path.split(separator: "/").last.map(String.init) ?? ""
            return file.contains("blas") || file.contains("lapack") ? String(path) : nil
        })
        let resolved = paths.map { path in (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { "\(path) -> \($0)" } ?? path }
        return resolved.isEmpty ? ["none loaded"] : resolved.sorted()
    }
}
