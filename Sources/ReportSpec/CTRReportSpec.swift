/// What the CTR PDF shows, handed from the server to the `kiln-report-pdf` renderer as JSON.
/// Every number is already computed; the renderer only lays out and draws.
public struct CTRReportSpec: Codable, Sendable {
    public struct MetricRow: Codable, Sendable {
        public var label: String
        public var value: String

        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    public struct Series: Codable, Sendable {
        public var name: String
        /// (epoch, value) pairs.
        public var points: [[Double]]

        public init(name: String, points: [[Double]]) {
            self.name = name
            self.points = points
        }
    }

    public struct Bar: Codable, Sendable {
        public var label: String
        public var value: Double
        public var low: Double
        public var high: Double

        public init(label: String, value: Double, low: Double, high: Double) {
            self.label = label
            self.value = value
            self.low = low
            self.high = high
        }
    }

    /// Headings and captions in the report's language.
    public struct Labels: Codable, Sendable {
        public var summary, metrics, curves, importance, correlation, insights, actionPlan, footer: String

        public init(summary: String, metrics: String, curves: String, importance: String, correlation: String, insights: String,
                    actionPlan: String, footer: String) {
            self.summary = summary
            self.metrics = metrics
            self.curves = curves
            self.importance = importance
            self.correlation = correlation
            self.insights = insights
            self.actionPlan = actionPlan
            self.footer = footer
        }
    }

    public var title: String
    public var subtitle: String
    public var labels: Labels
    public var summary: String
    public var metrics: [MetricRow]
    public var curves: [Series]
    public var importance: [Bar]
    public var importanceCaption: String
    public var correlationFeatures: [String]
    public var correlation: [[Double]]
    public var insights: [String]
    public var actionPlan: [String]
    public var includeCharts: Bool
    public var includeInsights: Bool
    public var includeActionPlan: Bool

    public init(title: String, subtitle: String, labels: Labels, summary: String, metrics: [MetricRow], curves: [Series], importance: [Bar],
                importanceCaption: String, correlationFeatures: [String], correlation: [[Double]], insights: [String], actionPlan: [String],
                includeCharts: Bool, includeInsights: Bool, includeActionPlan: Bool) {
        self.title = title
        self.subtitle = subtitle
        self.labels = labels
        self.summary = summary
        self.metrics = metrics
        self.curves = curves
        self.importance = importance
        self.importanceCaption = importanceCaption
        self.correlationFeatures = correlationFeatures
        self.correlation = correlation
        self.insights = insights
        self.actionPlan = actionPlan
        self.includeCharts = includeCharts
        self.includeInsights = includeInsights
        self.includeActionPlan = includeActionPlan
    }
}
