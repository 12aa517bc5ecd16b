import Foundation

/// RSS documents for the pipeline tests, written the way real French news feeds are.
enum FeedFixtures {
    struct Story {
        var guid: String
        var title: String
        var link: String
        var summary: String = ""
    }

    static func rss(_ stories: [Story], title: String = "Actualités") -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>\(title)</title><link>https://news.example.org/</link>
            """
        for story in stories {
            xml += """
                <item><title>\(story.title)</title><link>\(story.link)</link><guid isPermaLink="false">\(story.guid)</guid>
                <description>\(story.summary)</description><pubDate>Thu, 14 Mar 2019 09:05:00 +0100</pubDate></item>
                """
        }
        return xml + "</channel></rss>\n"
    }

    /// `count` stories that all match the rule `panne`.
    static func outageStories(_ count: Int, prefix: String = "s") -> [Story] {
        (0..<count).map { index in
            Story(
                guid: "\(prefix)-\(index)", title: "Panne numéro \(index) chez un opérateur",
                link: "https://news.example.org/\(prefix)/\(index)", summary: "Une panne de réseau, épisode \(index).")
        }
    }
}
