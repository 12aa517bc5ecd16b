/// The feeds of every source in order (`feeds:`, then `feeds_from:`), each name once: a name seen
/// before is reported at its second place with its first.
struct FeedCollection {
    private(set) var feeds: [FeedConfig] = []
    /// False when a feed has no name (its URL is unusable), or when a file of feeds could not be
    /// read: a selector that matches no name may mean one of those, so it is not reported.
    private(set) var everyNameIsKnown = true
    /// False when a file of feeds could not be read: a tag selector may mean one of its feeds.
    private(set) var everyTagIsKnown = true
    /// The files feeds come from, by `FeedPlace.file`: the configuration, then `feeds_from:`'s.
    var files: [String]
    /// Where each name was first given.
    private var firstPlaces: [String: FeedPlace] = [:]
    private var interner: FeedValueInterner
    private let defaults: SharedFeedSettings

    init(configFile: String, defaults: SharedFeedSettings) {
        files = [configFile]
        self.defaults = defaults
        interner = FeedValueInterner(defaults: defaults)
    }

    var count: Int { feeds.count }

    /// Some feeds could not be read at all (`feeds_from:` names a file that cannot be read).
    mutating func markIncomplete() {
        everyNameIsKnown = false
        everyTagIsKnown = false
    }

    mutating func reserve(_ count: Int) {
        feeds.reserveCapacity(feeds.count + count)
        firstPlaces.reserveCapacity(firstPlaces.count + count)
    }

    /// Adds a feed; a duplicate name is reported through `reader`. Values are interned again, as
    /// feeds read apart come with copies of their own.
    mutating func add(_ read: consuming ReadFeed, reader: inout ConfigNodeReader) {
        feeds.append(interner.intern(read.feed, defaults: defaults))
        guard read.nameIsKnown else {
            everyNameIsKnown = false
            return
        }
        let name = read.feed.name
        guard let first = firstPlaces[name] else {
            firstPlaces[name] = FeedPlace(file: Int32(read.file), line: Int32(clamping: read.entryLine))
            return
        }
        let firstPlace =
            Int(first.file) == read.file ? "line \(first.line)" : "\(files[Int(first.file)]):\(first.line)"
        reader.report(
            file: files[read.file], line: read.line, column: read.column,
            read.index.map { "feeds[\($0)].name" } ?? "",
            "duplicate feed name \(ConfigNodeReader.quote(name)) (first at \(firstPlace))")
    }

    func hasFeed(named name: String) -> Bool { firstPlaces[name] != nil }

    /// Every feed name in order, for a suggestion.
    var names: [String] { feeds.map(\.name).filter { !$0.isEmpty } }

    /// Every tag of every feed.
    var tags: Set<String> { interner.allTags }
}

/// Where a feed's entry starts, kept for every name (so, small): which file, which line.
struct FeedPlace {
    var file: Int32
    var line: Int32
}
