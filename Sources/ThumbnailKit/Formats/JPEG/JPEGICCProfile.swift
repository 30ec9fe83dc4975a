/// ICC colour profiles in JPEG files, carried as APP2 segments: "ICC_PROFILE\0", a 1-based chunk
/// sequence number, the chunk count, then that chunk of the profile (ICC.1 Annex B.4).
extension ICCProfile {
    private static let signature: [UInt8] = Array("ICC_PROFILE".utf8) + [0]
    /// Profile bytes one APP2 segment can hold: the 16-bit length field counts itself (2), the
    /// signature (12) and the sequence and count bytes (2).
    static let maxChunkSize = 65535 - 2 - 14

    /// The profile reassembled from `data`'s ICC APP2 segments in sequence-number order, or nil when
    /// there is none or the chunks are inconsistent: a number missing, repeated or out of range,
    /// counts that disagree, or no profile bytes at all.
    public static func extract(jpeg data: [UInt8]) -> [UInt8]? {
        var chunks: [Int: ArraySlice<UInt8>] = [:]
        var expectedCount: Int?
        for segment in JPEGMarkers.segments(data) where segment.marker == 0xE2 {
            let payload = data[segment.payload]
            guard payload.count >= signature.count + 2, payload.starts(with: signature) else { continue }
            let sequence = Int(payload[payload.startIndex + 12])
            let count = Int(payload[payload.startIndex + 13])
            if expectedCount == nil { expectedCount = count }
            // `1 <= sequence <= count` (a count of 0 is invalid; no range is built from untrusted bytes).
            guard count == expectedCount, sequence >= 1, sequence <= count, chunks[sequence] == nil else { return nil }
            chunks[sequence] = payload.dropFirst(signature.count + 2)
        }
        guard let count = expectedCount, chunks.count == count else { return nil }
        var profile: [UInt8] = []
        for sequence in 1...count { profile += chunks[sequence]! }
        return profile.isEmpty ? nil : profile
    }

    /// `jpeg` with `profile` as its ICC profile: APP2 chunks inserted right after SOI, or after the
    /// JFIF APP0 segment when one immediately follows SOI (where libjpeg's `jpeg_write_icc_profile`
    /// puts them). Any ICC chunks already in the file are dropped, so that the result carries one
    /// consistent profile. Returns `jpeg` unchanged when it does not start with SOI, when `profile`
    /// is empty, or when it needs more than the 255 chunks the format can number.
    public static func embed(_ profile: [UInt8], inJPEG jpeg: [UInt8]) -> [UInt8] {
        let chunkCount = (profile.count + maxChunkSize - 1) / maxChunkSize
        guard jpeg.count >= 2, jpeg[0] == 0xFF, jpeg[1] == 0xD8, (1...255).contains(chunkCount) else { return jpeg }
        let segments = JPEGMarkers.segments(jpeg)

        var insertAt = 2
        if let first = segments.first, first.marker == 0xE0, first.payload.lowerBound == 6,
           jpeg[first.payload].starts(with: Array("JFIF".utf8) + [0]) {
            insertAt = first.payload.upperBound
        }

        var app2: [UInt8] = []
        app2.reserveCapacity(profile.count + chunkCount * 18)
        for index in 0..<chunkCount {
            let chunk = profile[(index * maxChunkSize)..<min(profile.count, (index + 1) * maxChunkSize)]
            let length = 2 + signature.count + 2 + chunk.count
            app2 += [0xFF, 0xE2, UInt8(length >> 8), UInt8(length & 0xFF)]
            app2 += signature
            app2 += [UInt8(index + 1), UInt8(chunkCount)]
            app2 += chunk
        }

        // Old ICC segments (marker through payload) to leave out; all lie in the header, before SOS.
        let stale = segments.filter { $0.marker == 0xE2 && jpeg[$0.payload].starts(with: signature) }
            .map { ($0.payload.lowerBound - 4)..<$0.payload.upperBound }
        var result: [UInt8] = []
        result.reserveCapacity(jpeg.count + app2.count)
        var position = 0
        func copy(upTo end: Int) {
            for range in stale where range.lowerBound >= position && range.upperBound <= end {
                result += jpeg[position..<range.lowerBound]
                position = range.upperBound
            }
            result += jpeg[position..<end]
            position = end
        }
        copy(upTo: insertAt)
        result += app2
        copy(upTo: jpeg.count)
        return result
    }
}
