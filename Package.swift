// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "thumbnail",
    products: [
        .executable(name: "thumbnail", targets: ["thumbnail"]),
        .library(name: "ThumbnailKit", targets: ["ThumbnailKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CTurboJPEG",
            pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CWebP",
            pkgConfig: "libwebpdemux",
            providers: [.apt(["libwebp-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CGIF",
            pkgConfig: "libgif",
            providers: [.apt(["libgif-dev"])]
        ),
        .systemLibrary(
            name: "CTIFF",
            pkgConfig: "libtiff-4",
            providers: [.apt(["libtiff-dev"])]
        ),
        .systemLibrary(
            name: "CHeif",
            pkgConfig: "libheif",
            providers: [.apt(["libheif-dev"])]
        ),
        .systemLibrary(
            name: "CAVIF",
            pkgConfig: "libavif",
            providers: [.apt(["libavif-dev"])]
        ),
        // Little CMS: embedded ICC profiles converted to sRGB (Metadata/SRGBConversion.swift).
        .systemLibrary(
            name: "CLCMS2",
            pkgConfig: "lcms2",
            providers: [.apt(["liblcms2-dev"])]
        ),
        // Intel ISA-L: inflate and checksums for the fast PNG path (CPNGShim/CPNGFast.c).
        .systemLibrary(
            name: "CISAL",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        // libdeflate: PNG output's deflate (Sources/CPNGWriter; Benchmarks/png-encode.md says why).
        .systemLibrary(
            name: "CDeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        // The PNG writer: filters, one libdeflate zlib stream, chunks with CRC-32 (no libpng).
        .target(name: "CPNGWriter", dependencies: ["CDeflate"], cSettings: [.unsafeFlags(["-O2"])]),
        // Every libpng call lives here: libpng reports errors with longjmp, which Swift cannot catch.
        .target(name: "CPNGShim", dependencies: ["CPNG", "CISAL"], cSettings: [.unsafeFlags(["-O2"])]),
        // The workers' system call filter (Batch/Sandbox.swift).
        .systemLibrary(
            name: "CSeccomp",
            pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]
        ),
        // Linux calls Swift cannot make directly (variadic prctl, CPU_* macros).
        .target(name: "CSystemShim"),
        .target(
            name: "ThumbnailKit",
            dependencies: ["CTurboJPEG", "CPNGShim", "CSystemShim", "CWebP", "CSeccomp", "CSQLite", "CGIF", "CTIFF", "CHeif", "CAVIF", "CLCMS2", "CPNGWriter"],
            // Plain -O, bounds and overflow checks kept: a bug met on a hostile file traps (the pool
            // reports it) instead of corrupting memory; -Ounchecked measured only 1% faster.
            swiftSettings: []
        ),
        .executableTarget(
            name: "thumbnail",
            dependencies: [
                "ThumbnailKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The Swift runtime linked in: every run starts one process per core, and loading a
            // dozen shared Swift libraries in each was most of the fixed cost of a run.
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-l_FoundationCollections", "-l_FoundationCShims", "-lswiftSynchronization"], .when(configuration: .release))]
        ),
        // What tests need of images that the tool itself never does (comparing renderings).
        .target(name: "ThumbnailTestSupport", dependencies: ["ThumbnailKit"], path: "Tests/TestSupport"),
        .testTarget(name: "ThumbnailKitTests", dependencies: ["ThumbnailKit", "ThumbnailTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["ThumbnailKit", "ThumbnailTestSupport", "sandbox-probe"]),
        // Tests' helper: enters the worker sandbox, then tries one forbidden thing.
        .executableTarget(name: "sandbox-probe", dependencies: ["ThumbnailKit", "CSeccomp", "CSystemShim"]),
    ]
)
