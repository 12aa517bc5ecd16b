import Foundation

/// Small compressed bodies made once with the command-line tools and kept here as base64, so the
/// tests need neither tool (the test target declares no resources).
enum CompressedFixtures {
    /// The plain document both fixtures decompress to.
    static let plain =
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Compressed</title>"
        + "<item><title>panne</title></item></channel></rss>\n"

    /// `brotli -c` of `plain`.
    static let brotli =
        Data(
            base64Encoded:
                "odgDAGpxYJ7rXKblNUr3zI+aR2EIbvr8yLVM2xudfEmTa5+5Mp56svxQq81s5sWINiHJmd7w2p4PJgq0unqfMuETlwWaciSb5c+t4ekb8KeZL4BaWqxJAQ=="
        ) ?? Data()

    /// `gzip -9 -c` of `plain`.
    static let gzip =
        Data(
            base64Encoded:
                "H4sICJ1PBmsCA2Z4LnhtbACzsa/IzVEoSy0qzszPs1Uy1DNQsrezKSouRogZAcXsbJIzEvPyUnPsbEoyS3JS7ZzzcwuKUouLU1Ns9CEiNpklqbkw6QKQYriMPkRKH26GPtACOy4A5lQ4KHwAAAA="
        ) ?? Data()

    /// 200 MiB of zeros gzipped (about 200 KB), made with /bin/gzip at test time.
    static func gzipBomb() throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "head -c 209715200 /dev/zero | gzip -c"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
}
