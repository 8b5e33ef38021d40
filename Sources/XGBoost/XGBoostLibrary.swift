import CXGBoost
import Foundation
import KilnCore

/// libxgboost, loaded with dlopen when the first XGBoost model loads, so that a server without
/// XGBoost models does not map it (and its OpenMP runtime) at start. Holds the C functions Kiln uses.
public final class XGBoostLibrary: @unchecked Sendable {
    // @unchecked: immutable function pointers into a library that is never unloaded.
    typealias Create = @convention(c) (UnsafePointer<DMatrixHandle?>?, bst_ulong, UnsafeMutablePointer<BoosterHandle?>?) -> Int32
    typealias Free = @convention(c) (BoosterHandle?) -> Int32
    typealias LoadModel = @convention(c) (BoosterHandle?, UnsafePointer<CChar>?) -> Int32
    typealias SetParam = @convention(c) (BoosterHandle?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    typealias NumFeature = @convention(c) (BoosterHandle?, UnsafeMutablePointer<bst_ulong>?) -> Int32
    typealias PredictDense = @convention(c) (
        BoosterHandle?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, DMatrixHandle?,
        UnsafeMutablePointer<UnsafePointer<bst_ulong>?>?, UnsafeMutablePointer<bst_ulong>?, UnsafeMutablePointer<UnsafePointer<Float>?>?
    ) -> Int32
    typealias PredictMatrix = @convention(c) (
        BoosterHandle?, DMatrixHandle?, UnsafePointer<CChar>?,
        UnsafeMutablePointer<UnsafePointer<bst_ulong>?>?, UnsafeMutablePointer<bst_ulong>?, UnsafeMutablePointer<UnsafePointer<Float>?>?
    ) -> Int32
    typealias MatrixFromDense = @convention(c) (UnsafePointer<Float>?, bst_ulong, bst_ulong, Float, UnsafeMutablePointer<DMatrixHandle?>?) -> Int32
    typealias MatrixFree = @convention(c) (DMatrixHandle?) -> Int32
    typealias LastError = @convention(c) () -> UnsafePointer<CChar>?
    typealias Version = @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?) -> Void
    typealias SetOpenMPThreads = @convention(c) (Int32) -> Void
    typealias SetFloatInfo = @convention(c) (DMatrixHandle?, UnsafePointer<CChar>?, UnsafePointer<Float>?, bst_ulong) -> Int32
    typealias UpdateOneIter = @convention(c) (BoosterHandle?, Int32, DMatrixHandle?) -> Int32
    typealias EvalOneIter = @convention(c) (
        BoosterHandle?, Int32, UnsafeMutablePointer<DMatrixHandle?>?, UnsafeMutablePointer<UnsafePointer<CChar>?>?, bst_ulong,
        UnsafeMutablePointer<UnsafePointer<CChar>?>?
    ) -> Int32
    typealias SaveModel = @convention(c) (BoosterHandle?, UnsafePointer<CChar>?) -> Int32

    let create: Create
    let free: Free
    let loadModel: LoadModel
    let setParam: SetParam
    let numFeature: NumFeature
    let predictDense: PredictDense
    let predictMatrix: PredictMatrix
    let matrixFromDense: MatrixFromDense
    let matrixFree: MatrixFree
    let lastError: LastError
    private let versionFunction: Version
    /// libgomp's `omp_set_num_threads` (XGBoost's dependency): sets the calling thread's default.
    let setOpenMPThreads: SetOpenMPThreads
    let setFloatInfo: SetFloatInfo
    let updateOneIter: UpdateOneIter
    let evalOneIter: EvalOneIter
    let saveModel: SaveModel

    /// - Parameter path: the shared library; Debian's `libxgboost.so.0` by default.
    public init(path: String = "libxgboost.so.0") throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw KilnError(.unavailable, "cannot load XGBoost (\(path)): \(reason); install libxgboost-dev")
        }
        func symbol<T>(_ name: String, as type: T.Type) throws -> T {
            guard let address = dlsym(handle, name) else {
                throw KilnError(.unavailable, "\(path) lacks \(name); XGBoost ≥ 1.7 is required")
            }
            return unsafeBitCast(address, to: type)
        }
        create = try symbol("XGBoosterCreate", as: Create.self)
        free = try symbol("XGBoosterFree", as: Free.self)
        loadModel = try symbol("XGBoosterLoadModel", as: LoadModel.self)
        setParam = try symbol("XGBoosterSetParam", as: SetParam.self)
        numFeature = try symbol("XGBoosterGetNumFeature", as: NumFeature.self)
        predictDense = try symbol("XGBoosterPredictFromDense", as: PredictDense.self)
        predictMatrix = try symbol("XGBoosterPredictFromDMatrix", as: PredictMatrix.self)
        matrixFromDense = try symbol("XGDMatrixCreateFromMat", as: MatrixFromDense.self)
        matrixFree = try symbol("XGDMatrixFree", as: MatrixFree.self)
        lastError = try symbol("XGBGetLastError", as: LastError.self)
        versionFunction = try symbol("XGBoostVersion", as: Version.self)
        setOpenMPThreads = try symbol("omp_set_num_threads", as: SetOpenMPThreads.self)
        setFloatInfo = try symbol("XGDMatrixSetFloatInfo", as: SetFloatInfo.self)
        updateOneIter = try symbol("XGBoosterUpdateOneIter", as: UpdateOneIter.self)
        evalOneIter = try symbol("XGBoosterEvalOneIter", as: EvalOneIter.self)
        saveModel = try symbol("XGBoosterSaveModel", as: SaveModel.self)
    }

    public var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        versionFunction(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
