import Foundation

/// `1234567` as `1,234,567`.
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (offset, digit) in digits.enumerated() {
        if offset > 0 && (digits.count - offset) % 3 == 0 { out += "," }
        out.append(digit)
    }
    return value < 0 ? "-" + out : out
}

/// `value` with `places` decimals.
func fixed(_ value: Double, _ places: Int) -> String {
    String(format: "%.\(places)f", value)
}

/// The median and the 99th percentile of `samples` (not empty).
func medianAndP99(_ samples: [Double]) -> (p50: Double, p99: Double) {
    let sorted = samples.sorted()
    func at(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
    return (at(0.5), at(0.99))
}
