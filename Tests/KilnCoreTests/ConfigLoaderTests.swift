import Foundation
import KilnCore
import Testing

@Suite struct ConfigLoaderTests {
    func writeConfig(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-config-\(UUID().uuidString).json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func defaultsApplyWithNoLayers() throws {
        let config = try ConfigLoader.load(file: nil, environment: [:], flags: [:])
        #expect(config == KilnConfig())
        #expect(config.host == "127.0.0.1" && config.port == 8080)
        #expect(config.databaseURL == "sqlite:./.kiln/kiln.sqlite")
    }

    @Test func precedenceIsDefaultsFileEnvironmentFlags() throws {
        let file = try writeConfig(#"{"port": 9000, "host": "127.0.0.2", "log_level": "debug", "max_upload": "2MiB", "access_log": false}"#)
        let fromFile = try ConfigLoader.load(file: file, environment: [:], flags: [:])
        #expect(fromFile.port == 9000 && fromFile.host == "127.0.0.2" && fromFile.logLevel == "debug")
        #expect(fromFile.limits.maxUploadBytes == 2 << 20)
        #expect(fromFile.accessLog == false)

        let environment = ["KILN_PORT": "9100", "KILN_HOME": "/tmp/home", "PATH": "/bin"]
        let fromEnvironment = try ConfigLoader.load(file: file, environment: environment, flags: [:])
        #expect(fromEnvironment.port == 9100 && fromEnvironment.host == "127.0.0.2")
        #expect(fromEnvironment.dataDirectory == "/tmp/home")

        let fromFlags = try ConfigLoader.load(file: file, environment: environment, flags: ["port": "9200"])
        #expect(fromFlags.port == 9200 && fromFlags.dataDirectory == "/tmp/home")
    }

    @Test func webSocketPingIntervalTakesSecondsOrOff() throws {
        #expect(try ConfigLoader.load(file: nil, environment: [:], flags: [:]).limits.connections.webSocketPingSeconds == 30)
        let fast = try ConfigLoader.load(file: nil, environment: ["KILN_WEBSOCKET_PING_INTERVAL": "0.5"], flags: [:])
        #expect(fast.limits.connections.webSocketPingSeconds == 0.5)
        let off = try ConfigLoader.load(file: nil, environment: ["KILN_WEBSOCKET_PING_INTERVAL": "off"], flags: [:])
        #expect(off.limits.connections.webSocketPingSeconds == nil)
        #expect(throws: KilnError.self) { try ConfigLoader.load(file: nil, environment: ["KILN_WEBSOCKET_PING_INTERVAL": "0"], flags: [:]) }
    }

    @Test func kilnDataDirBeatsKilnHome() throws {
        let config = try ConfigLoader.load(file: nil, environment: ["KILN_HOME": "/a", "KILN_DATA_DIR": "/b"], flags: [:])
        #expect(config.dataDirectory == "/b")
    }

    @Test func invalidValuesNameTheirSource() throws {
        #expect(throws: KilnError.self) { try ConfigLoader.load(file: nil, environment: ["KILN_PORT": "eighty"], flags: [:]) }
        #expect(throws: KilnError.self) { try ConfigLoader.load(file: nil, environment: [:], flags: ["port": "70000"]) }
        #expect(throws: KilnError.self) { try ConfigLoader.load(file: nil, environment: [:], flags: ["jwt_hs256_secret": "short"]) }
        do {
            _ = try ConfigLoader.load(file: nil, environment: ["KILN_MAX_UPLOAD": "lots"], flags: [:])
            Issue.record("expected an error")
        } catch let error as KilnError {
            #expect(error.message.contains("KILN_MAX_UPLOAD"))
        }
    }

    @Test func unknownKeysAndMalformedFilesAreRejected() throws {
        #expect(throws: KilnError.self) { try ConfigLoader.load(file: try writeConfig(#"{"prot": 1}"#), environment: [:], flags: [:]) }
        #expect(throws: KilnError.self) { try ConfigLoader.load(file: try writeConfig("[1,2]"), environment: [:], flags: [:]) }
        #expect(throws: KilnError.self) { try ConfigLoader.load(file: try writeConfig(#"{"port": [1]}"#), environment: [:], flags: [:]) }
        #expect(throws: KilnError.self) { try ConfigLoader.load(file: "/nonexistent/kiln.json", environment: [:], flags: [:]) }
    }

    @Test func loopbackDetection() {
        var config = KilnConfig()
        for host in ["127.0.0.1", "localhost", "::1", "127.1.2.3"] {
            config.host = host
            #expect(config.isLoopbackHost, "\(host)")
        }
        for host in ["0.0.0.0", "10.0.0.1", "example.com", "::"] {
            config.host = host
            #expect(!config.isLoopbackHost, "\(host)")
        }
    }
}
