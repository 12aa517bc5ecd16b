import Foundation

/// The process's own figures in Prometheus' standard names (`process_cpu_seconds_total` …): the
/// same families every Prometheus client library exports.
///
/// Read when scraped, as cheaply as they can be: a scrape should cost a daemon that polls a
/// hundred thousand feeds next to nothing. CPU time comes from one `getrusage` call; memory from
/// /proc/self/statm (two numbers, no formatting of the whole /proc/self/stat line); open files
/// from counting /proc/self/fd without building names; the start time, which never changes, is
/// read once.
struct ProcessMetrics {
    var cpuSeconds: Double = 0
    var residentBytes: Double = 0
    var virtualBytes: Double = 0
    var startTimeSeconds: Double = 0
    var openFDs: Int = 0
    var maxFDs: Double = 0

    static func read() -> ProcessMetrics {
        var metrics = ProcessMetrics()
        var usage = rusage()
        if getrusage(RUSAGE_SELF.rawValue, &usage) == 0 {
            metrics.cpuSeconds = seconds(usage.ru_utime) + seconds(usage.ru_stime)
        }
        if let (size, resident) = statm() {
            metrics.virtualBytes = size * pageSize
            metrics.residentBytes = resident * pageSize
        }
        metrics.startTimeSeconds = startTime
        metrics.openFDs = countOpenFiles()
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { metrics.maxFDs = Double(limit.rlim_cur) }
        return metrics
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000
    }

    private static let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))

    /// The first two fields of /proc/self/statm: total program size and resident set, in pages.
    private static func statm() -> (Double, Double)? {
        guard let text = smallFile("/proc/self/statm") else { return nil }
        let fields = text.split(separator: " ", maxSplits: 2)
        guard fields.count >= 2, let size = Double(fields[0]), let resident = Double(fields[1]) else { return nil }
        return (size, resident)
    }

    /// The process's start in seconds since the epoch: boot time plus field 22 of /proc/self/stat
    /// (clock ticks after boot). Read once; it cannot change.
    private static let startTime: Double = {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name (which may hold spaces): state is field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count >= 20, let started = Double(fields[22 - 3]) else { return 0 }
        return bootTime() + started / ticks
    }()

    private static func bootTime() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return 0 }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }

    /// A /proc file of at most a few hundred bytes, read with one `read`.
    private static func smallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buffer in
            let count = Foundation.read(fd, buffer.baseAddress, buffer.count)
            guard count > 0 else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// Entries of /proc/self/fd, less `.`, `..` and the directory's own descriptor.
    private static func countOpenFiles() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != CChar(UInt8(ascii: ".")) { count += 1 }
        }
        return max(0, count - 1)
    }

    var text: String {
        var text = ""
        text.reserveCapacity(900)
        func family(_ name: String, _ type: String, _ help: String, _ value: Double) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", cpuSeconds)
        family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", residentBytes)
        family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", virtualBytes)
        family(
            "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
            startTimeSeconds)
        family("process_open_fds", "gauge", "Number of open file descriptors.", Double(openFDs))
        family("process_max_fds", "gauge", "Maximum number of open file descriptors.", maxFDs)
        return text
    }
}
