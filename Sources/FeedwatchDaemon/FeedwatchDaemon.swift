// FeedwatchDaemon: placeholder until the stage lands.
