import CTRHTTP
import ImagingHTTP
import KilnAppKit

/// The apps this `kiln` serves: the one place that names them. Adding an app is a line here
/// (and its command-line tools, if any, in `Kiln.appCommands`).
let installedApps = AppList([
    ImagingHTTPApp(),
    CTRHTTPApp(),
])
