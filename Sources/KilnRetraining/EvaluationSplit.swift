import Crypto
import Foundation
import KilnCore

/// Reviewed cases split into training and evaluation by a hash of each prediction's id: the
/// split is fixed (a case held out once is held out in every later retraining, so feedback
/// never trains on the cases a candidate is judged on) and needs no stored state.
struct EvaluationSplit {
    var training: [RetrainingCase] = []
    var evaluation: [RetrainingCase] = []
    /// Hash of the evaluation cases (ids and labels, sorted): the same cases give the same hash.
    var evaluationSHA256: String

    init(cases: [RetrainingCase], fraction: Double) {
        for item in cases {
            if Self.isHeldOut(predictionID: item.prediction.predictionID, fraction: fraction) {
                evaluation.append(item)
            } else {
                training.append(item)
            }
        }
        let listing = evaluation.map { "\($0.prediction.predictionID)\t\($0.label)\t\($0.maskSHA256 ?? "")" }.sorted().joined(separator: "\n")
        evaluationSHA256 = SHA256.hash(data: Data(listing.utf8)).hexString
    }

    /// The first 8 bytes of SHA-256("kiln-evaluation-split:" + id) as a fraction of 2⁶⁴.
    static func isHeldOut(predictionID: String, fraction: Double) -> Bool {
        let digest = Array(SHA256.hash(data: Data("kiln-evaluation-split:\(predictionID)".utf8)))
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(value) / 18_446_744_073_709_551_616.0 < fraction
    }
}
