import KilnML

/// The names and shapes the imaging app's endpoints expect of their default models. The demo
/// trainers (module ImagingDemo, used by `kiln train imaging-demo`) write models of these
/// names; an operator may register any model of the same signature instead.
public enum ImagingModels {
    public static let ctClassifier = "ct_classifier"
    public static let ctLabels = ["no_lesion", "lesion"]
    /// The display window the CT classifier expects when its config names none.
    public static let ctWindow = DisplayWindow.presets["abdomen"]!
    public static let mriSegmenter = "mri_segmenter"
    public static let mriLabels = ["background", "tumour"]
    public static let mriGrid = [64, 64, 64]
    public static let biomarkerClassifier = "biomarker_classifier"
}
