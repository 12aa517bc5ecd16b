import Foundation

/// The process's own figures in Prometheus' standard names (`process_cpu_seconds_total` …), read
/// from /proc when scraped: the same families every Prometheus client library exports.
struct ProcessMetrics {
    var cpuSeconds: Double = 0
    var residentBytes: Double = 0
    var virtualBytes: Double = 0
    var startTimeSeconds: Double = 0
    var openFDs: Int = 0
    var maxFDs: Double = 0

    static func read() -> ProcessMetrics {
        var metrics = ProcessMetrics()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        {
            // Fields after the command name (which may hold spaces): state is field 3.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            func field(_ number: Int) -> Double { Double(fields[number - 3]) ?? 0 }
            if fields.count >= 22 {
                metrics.cpuSeconds = (field(14) + field(15)) / ticks
                metrics.virtualBytes = field(23)
                metrics.residentBytes = field(24) * page
                metrics.startTimeSeconds = bootTime() + field(22) / ticks
            }
        }
        metrics.openFDs = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { metrics.maxFDs = Double(limit.rlim_cur) }
        return metrics
    }

    private static func bootTime() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return 0 }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }

    var text: String {
        func family(_ name: String, _ type: String, _ help: String, _ value: Double) -> String {
            "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        return family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", cpuSeconds)
            + family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", residentBytes)
            + family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", virtualBytes)
            + family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", startTimeSeconds)
            + family("process_open_fds", "gauge", "Number of open file descriptors.", Double(openFDs))
            + family("process_max_fds", "gauge", "Maximum number of open file descriptors.", maxFDs)
    }
}
