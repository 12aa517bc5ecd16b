import html.entities as h
items = sorted((k[:-1], v) for k, v in h.html5.items() if k.endswith(';'))
legacy = sorted(k for k in h.html5 if not k.endswith(';'))
def esc(s):
    return ''.join(c if (c.isascii() and c.isalnum()) else '\\u{%X}' % ord(c) for c in s)
o = []
o.append('// The HTML5 named character references (WHATWG list, %d names), generated from Python\'s\n' % len(items))
o.append('// html.entities.html5 by Fuzz/gen-html-entities.py. A packed string rather than a\n')
o.append('// dictionary literal: a literal of 2,000 pairs takes the type checker minutes.\n\n')
o.append('enum HTMLEntities {\n')
o.append('    /// Names that HTML also accepts without the closing semicolon (legacy, e.g. "&amp" or "&copy").\n')
o.append('    static let legacyWithoutSemicolon: Set<String> = Set(legacyNames.split(separator: " ").map(String.init))\n\n')
o.append('    /// Every named character reference of HTML5: name (without "&" and ";") to the characters it stands for.\n')
o.append('    static let table: [String: String] = {\n')
o.append('        var table = [String: String](minimumCapacity: 2200)\n')
o.append('        // Split on scalars, not Characters: a value may start with a combining mark that would fuse with "=".\n')
o.append('        for entry in packed.unicodeScalars.split(separator: "\\u{1}") {\n')
o.append('            guard let eq = entry.firstIndex(of: "=") else { continue }\n')
o.append('            table[String(String.UnicodeScalarView(entry[..<eq]))] =\n')
o.append('                String(String.UnicodeScalarView(entry[entry.index(after: eq)...]))\n')
o.append('        }\n')
o.append('        return table\n')
o.append('    }()\n\n')
o.append('    /// Longest name in the table, to bound the scanner.\n')
o.append('    static let longestName = %d\n\n' % max(len(k) for k,_ in items))
o.append('    private static let legacyNames = """\n')
chunks = [legacy[i:i+12] for i in range(0, len(legacy), 12)]
for n, chunk in enumerate(chunks):
    o.append('        ' + ' '.join(chunk) + (' \\\n' if n < len(chunks) - 1 else '\n'))
o.append('        """\n\n')
o.append('    private static let packed = """\n')
line = ''
for k, v in items:
    e = '%s=%s\\u{1}' % (k, esc(v))
    if len(line) + len(e) > 100:
        o.append('        ' + line + '\\\n'); line = ''
    line += e
o.append('        ' + line + '\n')
o.append('        """\n}\n')
open('Sources/FeedwatchParse/HTMLEntities.swift','w').write(''.join(o))
