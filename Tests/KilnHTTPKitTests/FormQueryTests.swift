import KilnHTTPKit
import Testing

@Suite struct FormQueryTests {
    @Test func plusIsASpaceAndPercentEscapesAreBytes() {
        // What MlflowClient.search_registered_models sends (Python's urlencode).
        let query = FormQuery("filter=tag.%60mlflow.prompt.is_prompt%60+!%3D+%27true%27&max_results=100")
        #expect(query["filter"] == "tag.`mlflow.prompt.is_prompt` != 'true'")
        #expect(query["max_results"] == "100")
        #expect(FormQuery("a=1%2B1")["a"] == "1+1", "an escaped plus stays a plus")
        #expect(FormQuery("name=%ED%95%9C%EA%B8%80")["name"] == "한글")
    }

    @Test func repeatedKeysEmptyValuesAndOddInputKeepTheirPlace() {
        let query = FormQuery("run_id=a&run_id=b&flag&empty=&bad=%zz&=x")
        #expect(query.pairs.map(\.key) == ["run_id", "run_id", "flag", "empty", "bad", ""])
        #expect(query.pairs.map(\.value) == ["a", "b", "", "", "%zz", "x"])
        #expect(query["run_id"] == "a" && query["missing"] == nil)
        #expect(FormQuery(nil).pairs.isEmpty && FormQuery("").pairs.isEmpty)
    }
}
