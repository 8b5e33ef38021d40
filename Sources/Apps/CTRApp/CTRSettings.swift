import KilnCore

/// The CTR app's business and alerting figures: its section of the config (`ctr_*` keys).
public struct CTRSettings: ConfigSection {
    /// Revenue one click brings, in `currency`, for the report's revenue figures.
    public var clickValue: Double = 500
    public var currency = "KRW"
    /// Impressions a month, for the report's revenue figures.
    public var monthlyImpressions: Double = 1_000_000
    /// `performance_alert` when a run's validation accuracy is below this …
    public var alertMinAccuracy: Double = 0.7
    /// … or its model's p50 serving latency is above this many milliseconds.
    public var alertMaxResponseMilliseconds: Double = 500
    /// Seconds between `WS /ws/performance` updates.
    public var performanceIntervalSeconds: Double = 5
    /// `generate-pdf` answers `"generated"` when the PDF is made within this many seconds, else
    /// 202 `"generating"` with the job to poll (rendering takes about a second here; an LLM
    /// narrative can take much longer).
    public var pdfWaitSeconds: Double = 15

    public init() {}

    public static let settings: [ConfigSetting] = [
        .section("ctr_click_value", "CTR report: revenue per click (default 500).") { (section: inout CTRSettings, value) in
            section.clickValue = try ConfigSetting.positive(value)
        },
        .section("ctr_currency", "CTR report: currency of the click value (default KRW).") { (section: inout CTRSettings, value) in
            section.currency = String(try ConfigSetting.nonEmpty(value).prefix(8))
        },
        .section("ctr_monthly_impressions", "CTR report: impressions per month (default 1000000).") { (section: inout CTRSettings, value) in
            section.monthlyImpressions = try ConfigSetting.positive(value)
        },
        .section("ctr_alert_min_accuracy", "CTR performance alert below this validation accuracy (default 0.7).") { (section: inout CTRSettings, value) in
            guard let number = Double(value), (0...1).contains(number) else { throw ConfigSetting.invalid(value, "a number in [0, 1]") }
            section.alertMinAccuracy = number
        },
        .section("ctr_alert_max_response_ms", "CTR performance alert above this p50 serving latency in ms (default 500).") { (section: inout CTRSettings, value) in
            section.alertMaxResponseMilliseconds = try ConfigSetting.positive(value)
        },
        .section("ctr_performance_interval", "Seconds between WS /ws/performance updates (default 5).") { (section: inout CTRSettings, value) in
            guard let number = Double(value), number >= 0.1, number <= 3600 else { throw ConfigSetting.invalid(value, "seconds in [0.1, 3600]") }
            section.performanceIntervalSeconds = number
        },
        .section("ctr_pdf_wait", "Seconds generate-pdf waits for the PDF before answering 202 generating (0 never waits; default 15).") { (section: inout CTRSettings, value) in
            guard let number = Double(value), number >= 0, number <= 300 else { throw ConfigSetting.invalid(value, "seconds in [0, 300]") }
            section.pdfWaitSeconds = number
        },
    ]
}
