import KilnServing
import Testing

@Suite struct MemoryBudgetTests {
    let t0 = ContinuousClock.now

    func resident(_ name: String, _ bytes: Int, idle: Bool = true, age: Int) -> MemoryBudget.Resident {
        MemoryBudget.Resident(name: name, bytes: bytes, idle: idle, lastUsed: t0 - .seconds(age))
    }

    @Test func nothingIsUnloadedWhenTheModelFits() {
        let budget = MemoryBudget(limit: 100)
        #expect(budget.victims(toFit: 30, resident: [resident("a", 50, age: 10)]) == [])
    }

    @Test func leastRecentlyUsedIdleModelsGoFirst() {
        let budget = MemoryBudget(limit: 100)
        let models = [resident("recent", 40, age: 1), resident("old", 40, age: 100), resident("middle", 10, age: 50)]
        #expect(budget.victims(toFit: 50, resident: models) == ["old"])
        #expect(budget.victims(toFit: 90, resident: models) == ["old", "middle", "recent"])
    }

    @Test func modelsInUseAreNeverUnloaded() {
        let budget = MemoryBudget(limit: 100)
        let models = [resident("busy", 60, idle: false, age: 1000), resident("idle", 30, age: 1)]
        #expect(budget.victims(toFit: 40, resident: models) == ["idle"])
        // Even unloading every idle model is not enough: refuse rather than cut a request short.
        #expect(budget.victims(toFit: 50, resident: models) == nil)
    }

    @Test func aModelLargerThanTheBudgetNeverFits() {
        #expect(MemoryBudget(limit: 100).victims(toFit: 101, resident: []) == nil)
    }
}
