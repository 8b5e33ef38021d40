import CTRCLI
import CTRHTTP
import ImagingCLI
import ImagingHTTP
import KilnAppKit
import KilnCLIKit

/// The apps this `kiln` serves and the command-line tools they bring: the one place that names
/// them. Adding an app is a line in each list.
enum InstalledApps: KilnCommandHost {
    static let apps = AppList([
        ImagingHTTPApp(),
        CTRHTTPApp(),
    ])

    static let commands = AppCommands([
        ImagingCommands.commands(Self.self),
        CTRCommands.commands,
    ])
}
