import FeedwatchAlert
import Foundation
import Logging

/// Operational logs go to journald when one answers, else to stderr; `FEEDWATCH_LOG=stderr`
/// forces stderr (handy in a terminal on a machine that has a journal).
func bootstrapLogging() {
    let forced = ProcessInfo.processInfo.environment["FEEDWATCH_LOG"]
    if forced == "stderr" {
        LoggingSystem.bootstrap { FeedwatchLogging.makeHandler(label: $0, level: .info, useJournal: false) }
    } else {
        FeedwatchLogging.bootstrap(level: .info)
    }
}
