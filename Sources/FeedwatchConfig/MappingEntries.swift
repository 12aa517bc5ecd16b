import Yams

/// The keys of a YAML mapping, looked up by name, with their key and value nodes. A mapping in a
/// configuration has a handful of keys: comparing names beats hashing them. Nodes are large values
/// (copying one copies a weak reference): they are copied out of the mapping only when asked for,
/// which counts when a million feeds build one of these each.
struct MappingEntries {
    private let mapping: Node.Mapping
    private var keys: [(name: String, index: Int)] = []

    init(_ mapping: Node.Mapping) {
        self.mapping = mapping
        keys.reserveCapacity(mapping.count)
    }

    subscript(name: String) -> (key: Node, value: Node)? {
        keys.first { $0.name == name }.map { mapping[$0.index] }
    }

    /// The value node of a key.
    func value(_ name: String) -> Node? {
        keys.first { $0.name == name }.map { mapping[$0.index].value }
    }

    func contains(_ name: String) -> Bool { keys.contains { $0.name == name } }

    /// Makes the pair at `index` of the mapping known as `name`.
    mutating func add(_ name: String, at index: Int) {
        keys.append((name, index))
    }
}
