/// Ranks with ties, as the Mann–Whitney U statistic (and so ROC AUC) uses them: values are
/// ranked 1…n in ascending order, tied values share the mean of their positions.
public enum TiedRanks {
    /// The rank sum of the values `marked` picks, how many it picked, and Σ(t³ − t) over tied
    /// blocks of size t (the tie correction of the U variance).
    public static func sum<Value: Comparable>(_ values: [Value], marked: (Int) -> Bool) -> (rankSum: Double, count: Int, tieTerm: Double) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var rankSum = 0.0, count = 0, tieTerm = 0.0, index = 0
        while index < order.count {
            var end = index
            while end + 1 < order.count, values[order[end + 1]] == values[order[index]] { end += 1 }
            let rank = Double(index + end) / 2 + 1  // average rank of the tied block
            let ties = Double(end - index + 1)
            tieTerm += ties * ties * ties - ties
            for position in index...end where marked(order[position]) {
                rankSum += rank
                count += 1
            }
            index = end + 1
        }
        return (rankSum, count, tieTerm)
    }
}
