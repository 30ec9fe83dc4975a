import CSystemShim
#if canImport(Glibc)
import Glibc
#endif

/// How many CPU cores this process may really use: the smaller of its affinity mask (taskset,
/// cpusets) and its cgroup CPU quota (docker --cpus, Kubernetes limits), rounded up.
public enum UsableCores {
    public static func count() -> Int {
        var cores = Int(tnsys_affinity_cpu_count())
        if cores < 1 { cores = max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1) }
        if let quota = cgroupQuota() { cores = min(cores, quota) }
        return max(cores, 1)
    }

    /// The cgroup CPU quota in whole cores (rounded up), or nil when unlimited or unknown.
    static func cgroupQuota() -> Int? {
        // cgroup v2: "max 100000" or "150000 100000" in this process's cgroup.
        if let text = readSmallFile("/sys/fs/cgroup/cpu.max"), let cores = parseCPUMax(text) {
            return cores
        }
        // cgroup v1.
        if let q = readSmallFile("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").flatMap({ Int($0.trimmed) }),
           let p = readSmallFile("/sys/fs/cgroup/cpu/cpu.cfs_period_us").flatMap({ Int($0.trimmed) }),
           q > 0, p > 0 {
            return (q + p - 1) / p
        }
        return nil
    }

    /// Whole cores allowed by a cgroup v2 `cpu.max` line; nil for "max".
    public static func parseCPUMax(_ text: String) -> Int? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 2, let quota = Int(fields[0]), let period = Int(fields[1]), quota > 0, period > 0 else {
            return nil
        }
        return max((quota + period - 1) / period, 1)
    }

    private static func readSmallFile(_ path: String) -> String? {
        guard let bytes = try? FileIO.readPrefix(path: path, count: 256), !bytes.isEmpty else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    var trimmed: String {
        String(self.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
