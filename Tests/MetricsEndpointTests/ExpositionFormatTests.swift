import MetricsEndpoint
import Testing

@Suite("Exposition formats: negotiated by Accept, OpenMetrics from the Prometheus text")
struct ExpositionFormatTests {
    @Test("Prometheus's own Accept header gets OpenMetrics; curl's, none, or a lower quality get the text format")
    func negotiation() {
        let prometheus =
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        #expect(ExpositionFormat(accept: prometheus) == .openMetrics)
        #expect(ExpositionFormat(accept: "*/*") == .prometheusText)
        #expect(ExpositionFormat(accept: nil) == .prometheusText)
        #expect(ExpositionFormat(accept: "text/plain;version=0.0.4") == .prometheusText)
        #expect(ExpositionFormat(accept: "application/openmetrics-text;version=0.0.1") == .prometheusText)
        #expect(ExpositionFormat(accept: "application/openmetrics-text;q=0.2, text/plain;q=0.9") == .prometheusText)
        #expect(ExpositionFormat(accept: "application/openmetrics-text") == .openMetrics)
    }

    @Test("counter families lose _total in TYPE and HELP, gauges keep their names, # EOF ends it")
    func openMetricsText() {
        let text = """
            # TYPE filter_rules_decisions_total counter
            filter_rules_decisions_total{stage="rcpt",action="reject"} 3
            # TYPE odd_total gauge
            odd_total 1
            # TYPE filter_rules_sessions_active gauge
            filter_rules_sessions_active 2

            """
        let converted = String(decoding: ExpositionFormat.openMetrics(fromPrometheusText: Array(text.utf8)), as: UTF8.self)
        #expect(
            converted == """
                # TYPE filter_rules_decisions counter
                filter_rules_decisions_total{stage="rcpt",action="reject"} 3
                # TYPE odd_total gauge
                odd_total 1
                # TYPE filter_rules_sessions_active gauge
                filter_rules_sessions_active 2
                # EOF

                """)
    }

    @Test("samples read back with their labels, escapes and special values; comments and junk left out")
    func samples() {
        let text = """
            # HELP x y
            a_total{rule="r.conf:3",stage="rcpt"} 7
            b 1.5e3
            c{v="q\\"uote\\\\d"} +Inf
            not a sample line
            d{broken="x} 1
            """
        let samples = ExpositionSample.parse(text)
        #expect(samples.map(\.name) == ["a_total", "b", "c"])
        #expect(samples[0].label("rule") == "r.conf:3" && samples[0].value == 7)
        #expect(samples[1].value == 1500)
        #expect(samples[2].label("v") == "q\"uote\\d" && samples[2].value == .infinity)
    }
}
