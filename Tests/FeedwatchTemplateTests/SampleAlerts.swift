import FeedwatchTemplate

/// Alerts with telling values, shared by the template tests.
enum SampleAlerts {
    static let panne = TemplateAlert(
        alertID: "01JD8ZQ5X7KT", rule: "outages", keywords: ["panne", "Facebook"], feedName: "lemonde",
        feedURL: "https://www.lemonde.fr/rss/une.xml", feedTitle: "Le Monde.fr", itemID: "lemonde-6210",
        itemTitle: "Panne géante chez Facebook", itemLink: "https://www.lemonde.fr/pixels/6210.html",
        itemSummary: "Les services de Meta sont coupés.", itemPublished: "2019-03-14T09:05:00Z",
        detectedAt: "2026-11-24T22:00:00Z")

    static let coupure = TemplateAlert(
        alertID: "01JD8ZQ5X8AB", rule: "outages", keywords: ["coupure"], feedName: "ouestfrance",
        feedURL: "https://www.ouest-france.fr/rss", feedTitle: "Ouest-France", itemID: "of-42",
        itemTitle: "Coupure d'électricité à Rennes", itemLink: "https://www.ouest-france.fr/42",
        itemSummary: "Dix mille foyers privés de courant.", itemPublished: nil, detectedAt: "2026-11-24T22:00:05Z")

    /// An alert whose title holds what every target must escape.
    static func titled(_ title: String) -> TemplateAlert {
        var alert = panne
        alert.itemTitle = title
        return alert
    }
}
