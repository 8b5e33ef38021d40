import CPangoCairo

/// A multi-page PDF drawn with cairo, text laid out by pango (so Korean shapes and wraps
/// correctly with a CJK font). Owns the cairo surface and context; `finish()` writes the file.
final class PDFCanvas {
    struct Color {
        var red, green, blue: Double

        init(hex: UInt32) {
            red = Double((hex >> 16) & 0xFF) / 255
            green = Double((hex >> 8) & 0xFF) / 255
            blue = Double(hex & 0xFF) / 255
        }
    }

    static let pangoScale: Int32 = 1024  // PANGO_SCALE, a macro Swift does not import
    let width: Double
    let height: Double
    private let surface: OpaquePointer
    private let cairo: OpaquePointer
    private var finished = false

    init(path: String, width: Double = 595, height: Double = 842) throws {
        guard let surface = cairo_pdf_surface_create(path, width, height) else { throw RenderError("cannot create \(path)") }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let cairo = cairo_create(surface) else {
            cairo_surface_destroy(surface)
            throw RenderError("cannot create \(path)")
        }
        self.surface = surface
        self.cairo = cairo
        self.width = width
        self.height = height
    }

    deinit {
        cairo_destroy(cairo)
        cairo_surface_destroy(surface)
    }

    func newPage() {
        cairo_show_page(cairo)
    }

    /// Ends the document and reports cairo's status.
    func finish() throws {
        cairo_surface_finish(surface)
        finished = true
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else { throw RenderError(String(cString: cairo_status_to_string(status))) }
    }

    func setColor(_ color: Color, alpha: Double = 1) {
        cairo_set_source_rgba(cairo, color.red, color.green, color.blue, alpha)
    }

    func fillRectangle(x: Double, y: Double, width: Double, height: Double, color: Color, alpha: Double = 1) {
        setColor(color, alpha: alpha)
        cairo_rectangle(cairo, x, y, width, height)
        cairo_fill(cairo)
    }

    /// A left-to-right gradient between two colours (the seed's brand band).
    func fillGradient(x: Double, y: Double, width: Double, height: Double, from: Color, to: Color) {
        guard let pattern = cairo_pattern_create_linear(x, y, x + width, y) else { return }
        defer { cairo_pattern_destroy(pattern) }
        cairo_pattern_add_color_stop_rgb(pattern, 0, from.red, from.green, from.blue)
        cairo_pattern_add_color_stop_rgb(pattern, 1, to.red, to.green, to.blue)
        cairo_set_source(cairo, pattern)
        cairo_rectangle(cairo, x, y, width, height)
        cairo_fill(cairo)
    }

    func line(_ points: [(Double, Double)], color: Color, width: Double = 1) {
        guard let first = points.first else { return }
        setColor(color)
        cairo_set_line_width(cairo, width)
        cairo_move_to(cairo, first.0, first.1)
        for point in points.dropFirst() { cairo_line_to(cairo, point.0, point.1) }
        cairo_stroke(cairo)
    }

    func strokeRectangle(x: Double, y: Double, width: Double, height: Double, color: Color, lineWidth: Double = 0.5) {
        setColor(color)
        cairo_set_line_width(cairo, lineWidth)
        cairo_rectangle(cairo, x, y, width, height)
        cairo_stroke(cairo)
    }

    /// Draws `text` wrapped to `width` at (x, y); returns the height used. `measureOnly`
    /// lays out without drawing (to decide page breaks).
    @discardableResult
    func text(_ text: String, x: Double, y: Double, width: Double, size: Double, bold: Bool = false, color: Color = Color(hex: 0x111827),
              alignRight: Bool = false, measureOnly: Bool = false) -> Double {
        guard let layout = pango_cairo_create_layout(cairo) else { return 0 }
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        let font = pango_font_description_from_string("Noto Sans CJK KR \(bold ? "Bold " : "")\(size)")
        defer { pango_font_description_free(font) }
        pango_layout_set_font_description(layout, font)
        pango_layout_set_width(layout, Int32(width) * Self.pangoScale)
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        if alignRight { pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT) }
        pango_layout_set_text(layout, text, -1)
        var textWidth: Int32 = 0, textHeight: Int32 = 0
        pango_layout_get_pixel_size(layout, &textWidth, &textHeight)
        if !measureOnly {
            setColor(color)
            cairo_move_to(cairo, x, y)
            pango_cairo_show_layout(cairo, layout)
        }
        return Double(textHeight)
    }
}

struct RenderError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
