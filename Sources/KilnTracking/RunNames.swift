/// Readable run names in MLflow's style (`adjective-noun-123`), for runs started without one.
enum RunNames {
    private static let adjectives = [
        "amber", "bold", "brave", "bright", "calm", "clever", "crisp", "dapper", "eager", "fair", "gentle", "glad",
        "honest", "keen", "lively", "loyal", "merry", "nimble", "polite", "proud", "quick", "quiet", "rare", "sharp",
        "shy", "silent", "smart", "steady", "swift", "tidy", "vivid", "warm", "wise", "witty", "zealous",
    ]
    private static let nouns = [
        "ant", "bass", "bat", "bear", "bee", "bird", "boar", "cat", "colt", "crab", "crane", "deer", "dove", "eel",
        "elk", "finch", "fox", "frog", "goat", "hare", "hawk", "horse", "jay", "lark", "lion", "lynx", "mole", "moth",
        "newt", "owl", "panda", "ram", "robin", "seal", "shark", "snail", "stork", "swan", "toad", "trout", "whale", "wolf",
    ]

    static func random() -> String {
        "\(adjectives.randomElement()!)-\(nouns.randomElement()!)-\(Int.random(in: 100...999))"
    }
}
