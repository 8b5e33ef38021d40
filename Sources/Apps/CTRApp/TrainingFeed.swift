import Foundation
import KilnCore
import Synchronization

/// Live messages of CTR trainings (`epoch_update`, `log`, `training_complete`,
/// `training_failed`) for `WS /ws/training/{run_id}`. In process, per run; each subscriber has a
/// bounded buffer that drops the oldest messages, so a slow socket never holds training back.
/// The terminal message ends every subscriber's stream.
///
/// Every message carries `seq`, increasing per run, so that a client that reconnects with
/// `?since=<seq>` gets what it missed instead of the whole history: the feed keeps a running
/// training's last `kept` messages, and the trainer records the terminal message's `seq` on the
/// run (`seqTag`) so that a finished run does not replay its end to a client that saw it.
public final class TrainingFeed: Sendable {
    public static let terminalTypes: Set<String> = ["training_complete", "training_failed"]
    public static let seqTag = "kiln.ctr.feed_seq"
    static let kept = 512

    private let broadcaster = KeyedBroadcaster<JSONValue>()
    private let recent = Mutex<[String: Recent]>([:])

    private struct Recent {
        var last = 0
        var messages: [(seq: Int, message: JSONValue)] = []
    }

    public init() {}

    /// Subscribe before reading the run's current state, so that nothing falls in between.
    public func subscribe(runID: String, buffer: Int = 256) -> KeyedSubscription<JSONValue> {
        broadcaster.subscribe(runID, buffer: buffer)
    }

    /// A running training's kept messages after `seq`, oldest first.
    public func messages(runID: String, after seq: Int) -> [JSONValue] {
        recent.withLock { $0[runID]?.messages.filter { $0.seq > seq }.map(\.message) ?? [] }
    }

    /// Sends `{"type": type, "run_id": runID, "seq": n, …fields}` to the run's subscribers; returns n.
    @discardableResult
    func publish(runID: String, type: String, _ fields: [String: JSONValue] = [:]) -> Int {
        let terminal = Self.terminalTypes.contains(type)
        var message = fields
        message["type"] = .string(type)
        message["run_id"] = .string(runID)
        // One lock for numbering, keeping and sending, so that subscribers see `seq` in order.
        return recent.withLock { recent in
            var run = recent[runID] ?? Recent()
            run.last += 1
            message["seq"] = .int(run.last)
            let event = JSONValue.object(message)
            if terminal {
                recent.removeValue(forKey: runID)
            } else {
                run.messages.append((run.last, event))
                if run.messages.count > Self.kept { run.messages.removeFirst(run.messages.count - Self.kept) }
                recent[runID] = run
            }
            broadcaster.publish(event, to: runID, finishing: terminal)
            return run.last
        }
    }
}

/// The trainer's `log` lines, in Korean (the seed's "Epoch 5/10 완료") and English: the feed
/// carries both, each socket sends the one its client asked for (`?lang=`).
enum TrainingLog {
    case loading(file: String)
    case training(model: String, rows: Int, validationRows: Int)
    case epochDone(Int, of: Int)
    case earlyStopping(patience: Int)
    case analysingFeatures

    var korean: String {
        switch self {
        case .loading(let file): "\(file) 불러오는 중"
        case .training(let model, let rows, let validationRows): "\(model) 학습 시작: 학습 \(rows)행, 검증 \(validationRows)행"
        case .epochDone(let epoch, let epochs): "Epoch \(epoch)/\(epochs) 완료"
        case .earlyStopping(let patience): "조기 종료: \(patience) 에폭 동안 검증 손실이 나아지지 않음"
        case .analysingFeatures: "특성 분석 중"
        }
    }

    var english: String {
        switch self {
        case .loading(let file): "loading \(file)"
        case .training(let model, let rows, let validationRows): "training \(model) on \(rows) rows, validating on \(validationRows)"
        case .epochDone(let epoch, let epochs): "Epoch \(epoch)/\(epochs) done"
        case .earlyStopping(let patience): "early stopping: no better validation loss for \(patience) epochs"
        case .analysingFeatures: "analysing features"
        }
    }
}
