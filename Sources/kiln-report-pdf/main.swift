// Renders a CTR report PDF from its JSON spec: `kiln-report-pdf SPEC.json OUT.pdf`.
// A separate program so that the server never links cairo, pango and their fonts (memory it
// would carry all the time for a report made now and then) and a rendering crash cannot
// take the server down. The server runs it from the same folder as itself.
import Foundation
import ReportPDF
import ReportSpec

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: kiln-report-pdf SPEC.json OUT.pdf\n".utf8))
    exit(2)
}
do {
    let spec = try JSONDecoder().decode(CTRReportSpec.self, from: Data(contentsOf: URL(fileURLWithPath: arguments[1])))
    try CTRReportRenderer().render(spec, to: arguments[2])
} catch {
    FileHandle.standardError.write(Data("kiln-report-pdf: \(error)\n".utf8))
    exit(1)
}
