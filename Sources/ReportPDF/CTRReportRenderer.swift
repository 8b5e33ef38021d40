import Foundation
import ReportSpec

/// Lays out the CTR report on A4 pages: a brand band with the title, the executive summary,
/// the metrics table, training curves, importance bars with CI whiskers, a correlation
/// heatmap, insights and the action plan. Sections move to a new page when they do not fit.
public struct CTRReportRenderer {
    static let brandStart = PDFCanvas.Color(hex: 0x2563EB)
    static let brandEnd = PDFCanvas.Color(hex: 0x7C3AED)
    static let grey = PDFCanvas.Color(hex: 0x6B7280)
    static let light = PDFCanvas.Color(hex: 0xE5E7EB)
    static let margin = 48.0

    public init() {}

    public func render(_ spec: CTRReportSpec, to path: String) throws {
        let canvas = try PDFCanvas(path: path)
        var layout = PageFlow(canvas: canvas, footer: spec.labels.footer)
        layout.startPage()
        header(spec, canvas: canvas, flow: &layout)
        section(spec.labels.summary, flow: &layout)
        paragraph(spec.summary, flow: &layout)
        section(spec.labels.metrics, flow: &layout)
        metricsTable(spec.metrics, flow: &layout)
        if spec.includeCharts {
            if !spec.curves.isEmpty {
                layout.ensure(260)
                section(spec.labels.curves, flow: &layout)
                lineChart(spec.curves, flow: &layout, height: 200)
            }
            if !spec.importance.isEmpty {
                layout.ensure(Double(spec.importance.count) * 22 + 80)
                section(spec.labels.importance, flow: &layout)
                importanceBars(spec.importance, caption: spec.importanceCaption, flow: &layout)
            }
            if spec.correlationFeatures.count >= 2 {
                let size = min(360, Double(spec.correlationFeatures.count) * 34)
                layout.ensure(size + 50)
                section(spec.labels.correlation, flow: &layout)
                heatmap(spec.correlationFeatures, spec.correlation, size: size, flow: &layout)
            }
        }
        if spec.includeInsights, !spec.insights.isEmpty {
            layout.ensure(120)
            section(spec.labels.insights, flow: &layout)
            for insight in spec.insights { bullet(insight, flow: &layout) }
        }
        if spec.includeActionPlan, !spec.actionPlan.isEmpty {
            layout.ensure(120)
            section(spec.labels.actionPlan, flow: &layout)
            for (index, step) in spec.actionPlan.enumerated() { bullet(step, marker: "\(index + 1).", flow: &layout) }
        }
        layout.endPage()
        try canvas.finish()
    }

    private func header(_ spec: CTRReportSpec, canvas: PDFCanvas, flow: inout PageFlow) {
        canvas.fillGradient(x: 0, y: 0, width: canvas.width, height: 110, from: Self.brandStart, to: Self.brandEnd)
        let white = PDFCanvas.Color(hex: 0xFFFFFF)
        canvas.text(spec.title, x: Self.margin, y: 30, width: canvas.width - 2 * Self.margin, size: 20, bold: true, color: white)
        canvas.text(spec.subtitle, x: Self.margin, y: 68, width: canvas.width - 2 * Self.margin, size: 9.5, color: white)
        flow.y = 134
    }

    private func section(_ title: String, flow: inout PageFlow) {
        flow.ensure(40)
        flow.y += 8
        flow.canvas.fillRectangle(x: Self.margin, y: flow.y + 3, width: 4, height: 16, color: Self.brandStart)
        flow.y += flow.canvas.text(title, x: Self.margin + 12, y: flow.y, width: flow.width - 12, size: 13, bold: true) + 8
    }

    private func paragraph(_ text: String, flow: inout PageFlow) {
        let height = flow.canvas.text(text, x: Self.margin, y: flow.y, width: flow.width, size: 10, measureOnly: true)
        flow.ensure(height)
        flow.y += flow.canvas.text(text, x: Self.margin, y: flow.y, width: flow.width, size: 10) + 6
    }

    private func bullet(_ text: String, marker: String = "•", flow: inout PageFlow) {
        let height = flow.canvas.text(text, x: Self.margin + 18, y: flow.y, width: flow.width - 18, size: 10, measureOnly: true)
        flow.ensure(height + 4)
        flow.canvas.text(marker, x: Self.margin, y: flow.y, width: 18, size: 10, bold: true, color: Self.brandEnd)
        flow.y += flow.canvas.text(text, x: Self.margin + 18, y: flow.y, width: flow.width - 18, size: 10) + 5
    }

    private func metricsTable(_ rows: [CTRReportSpec.MetricRow], flow: inout PageFlow) {
        let rowHeight = 20.0
        for (index, row) in rows.enumerated() {
            flow.ensure(rowHeight)
            if index % 2 == 0 {
                flow.canvas.fillRectangle(x: Self.margin, y: flow.y, width: flow.width, height: rowHeight, color: Self.light, alpha: 0.6)
            }
            flow.canvas.text(row.label, x: Self.margin + 8, y: flow.y + 3, width: flow.width / 2, size: 9.5, color: Self.grey)
            flow.canvas.text(row.value, x: Self.margin + flow.width / 2, y: flow.y + 3, width: flow.width / 2 - 8, size: 9.5, bold: true, alignRight: true)
            flow.y += rowHeight
        }
        flow.y += 8
    }

    private func lineChart(_ series: [CTRReportSpec.Series], flow: inout PageFlow, height: Double) {
        let canvas = flow.canvas
        let left = Self.margin + 40, top = flow.y, width = flow.width - 40 - 110
        let points = series.flatMap(\.points)
        guard let minX = points.map({ $0[0] }).min(), let maxX = points.map({ $0[0] }).max(),
              let minY = points.map({ $0[1] }).min(), let maxY = points.map({ $0[1] }).max() else { return }
        let spanX = max(maxX - minX, 1), spanY = max(maxY - minY, 1e-9)
        func position(_ point: [Double]) -> (Double, Double) {
            (left + (point[0] - minX) / spanX * width, top + height - (point[1] - minY) / spanY * height)
        }
        canvas.strokeRectangle(x: left, y: top, width: width, height: height, color: Self.light)
        for tick in 0...4 {
            let value = minY + spanY * Double(tick) / 4
            let y = top + height - Double(tick) / 4 * height
            canvas.line([(left, y), (left + width, y)], color: Self.light, width: 0.4)
            canvas.text(String(format: "%.3f", value), x: Self.margin - 4, y: y - 6, width: 40, size: 7, color: Self.grey, alignRight: true)
        }
        canvas.text("epoch \(Int(minX))", x: left, y: top + height + 4, width: 80, size: 7, color: Self.grey)
        canvas.text("epoch \(Int(maxX))", x: left + width - 80, y: top + height + 4, width: 80, size: 7, color: Self.grey, alignRight: true)
        let palette = [Self.brandStart, Self.brandEnd, PDFCanvas.Color(hex: 0x059669), PDFCanvas.Color(hex: 0xD97706)]
        for (index, line) in series.enumerated() {
            let color = palette[index % palette.count]
            canvas.line(line.points.map(position), color: color, width: 1.6)
            let legendY = top + Double(index) * 16
            canvas.fillRectangle(x: left + width + 14, y: legendY + 5, width: 12, height: 3, color: color)
            canvas.text(line.name, x: left + width + 32, y: legendY, width: 80, size: 8)
        }
        flow.y += height + 24
    }

    private func importanceBars(_ bars: [CTRReportSpec.Bar], caption: String, flow: inout PageFlow) {
        let canvas = flow.canvas
        let labelWidth = 150.0, barLeft = Self.margin + labelWidth, barWidth = flow.width - labelWidth - 60
        let maxValue = max(bars.map { max($0.high, $0.value) }.max() ?? 1, 1e-12)
        func x(_ value: Double) -> Double { barLeft + max(0, value) / maxValue * barWidth }
        for bar in bars {
            canvas.text(bar.label, x: Self.margin, y: flow.y + 2, width: labelWidth - 8, size: 8.5)
            canvas.fillGradient(x: barLeft, y: flow.y + 3, width: max(1, x(bar.value) - barLeft), height: 12, from: Self.brandStart, to: Self.brandEnd)
            // The 95% interval as a whisker.
            let middle = flow.y + 9
            canvas.line([(x(bar.low), middle), (x(bar.high), middle)], color: PDFCanvas.Color(hex: 0x111827), width: 0.9)
            canvas.line([(x(bar.low), middle - 4), (x(bar.low), middle + 4)], color: PDFCanvas.Color(hex: 0x111827), width: 0.9)
            canvas.line([(x(bar.high), middle - 4), (x(bar.high), middle + 4)], color: PDFCanvas.Color(hex: 0x111827), width: 0.9)
            canvas.text(String(format: "%.3f", bar.value), x: x(bar.high) + 6, y: flow.y + 2, width: 50, size: 7.5, color: Self.grey)
            flow.y += 22
        }
        flow.y += canvas.text(caption, x: Self.margin, y: flow.y + 2, width: flow.width, size: 7.5, color: Self.grey) + 10
    }

    private func heatmap(_ features: [String], _ matrix: [[Double]], size: Double, flow: inout PageFlow) {
        let canvas = flow.canvas
        let count = features.count
        let cell = size / Double(count), left = Self.margin + 110, top = flow.y
        for (row, name) in features.enumerated() {
            canvas.text(name, x: Self.margin, y: top + Double(row) * cell + cell / 2 - 6, width: 104, size: 7.5, alignRight: true)
            for column in 0..<count {
                let r = matrix[row][column]
                // Blue for positive, purple-red for negative, white at 0.
                let color = r >= 0 ? Self.brandStart : PDFCanvas.Color(hex: 0xDC2626)
                canvas.fillRectangle(x: left + Double(column) * cell, y: top + Double(row) * cell, width: cell, height: cell, color: PDFCanvas.Color(hex: 0xFFFFFF))
                canvas.fillRectangle(x: left + Double(column) * cell, y: top + Double(row) * cell, width: cell, height: cell, color: color, alpha: min(1, abs(r)))
                canvas.strokeRectangle(x: left + Double(column) * cell, y: top + Double(row) * cell, width: cell, height: cell, color: Self.light, lineWidth: 0.3)
                if cell >= 26 {
                    canvas.text(String(format: "%.2f", r), x: left + Double(column) * cell, y: top + Double(row) * cell + cell / 2 - 5, width: cell - 3,
                                size: 6, color: abs(r) > 0.5 ? PDFCanvas.Color(hex: 0xFFFFFF) : PDFCanvas.Color(hex: 0x111827), alignRight: true)
                }
            }
        }
        flow.y += size + 12
    }
}

/// The vertical position on the current page, with page breaks and footers.
struct PageFlow {
    let canvas: PDFCanvas
    let footer: String
    var y = CTRReportRenderer.margin
    var page = 0

    var width: Double { canvas.width - 2 * CTRReportRenderer.margin }
    var bottom: Double { canvas.height - CTRReportRenderer.margin - 20 }

    mutating func startPage() {
        page += 1
        y = CTRReportRenderer.margin
    }

    mutating func endPage() {
        canvas.text("\(footer) · \(page)", x: CTRReportRenderer.margin, y: canvas.height - CTRReportRenderer.margin + 4, width: width, size: 7.5,
                    color: CTRReportRenderer.grey, alignRight: true)
        canvas.newPage()
    }

    /// Starts a new page unless `height` more points fit on this one.
    mutating func ensure(_ height: Double) {
        guard y + height > bottom else { return }
        endPage()
        startPage()
    }
}
