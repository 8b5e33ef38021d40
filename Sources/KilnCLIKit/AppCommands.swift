import ArgumentParser
import KilnAppKit

/// What a `kiln` executable gives the app commands it links: the installed apps. An app's
/// commands that open the store are generic over it, because ArgumentParser builds commands
/// from their types and so cannot hand them a value.
public protocol KilnCommandHost {
    static var apps: AppList { get }
}

/// An app's command-line tools, by where they hang in `kiln`: under `kiln train` (demo
/// training), under `kiln datagen` (synthetic data sets), or at the top level.
public struct AppCommands: Sendable {
    public var train: [any ParsableCommand.Type]
    public var datagen: [any ParsableCommand.Type]
    public var topLevel: [any ParsableCommand.Type]

    public init(train: [any ParsableCommand.Type] = [], datagen: [any ParsableCommand.Type] = [], topLevel: [any ParsableCommand.Type] = []) {
        self.train = train
        self.datagen = datagen
        self.topLevel = topLevel
    }

    /// The commands of several apps, each group in app order.
    public init(_ apps: [AppCommands]) {
        self.init(train: apps.flatMap(\.train), datagen: apps.flatMap(\.datagen), topLevel: apps.flatMap(\.topLevel))
    }
}
